import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { usage } from '../../server/src/cli/usage';
import { tempWorkspace } from '../helpers/tempWorkspace';
import { Capture } from '../helpers/capture';

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'live-usage');

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

describe('consolidate usage --from prometheus: failures are sentences, and nothing is written', () => {
  it('nothing listening: ECONNREFUSED', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const ws = tempWorkspace({ copyFrom: EXAMPLE });
    try {
      const err = new Capture();
      assert.equal(
        await usage(
          ['fine-on-paper.plan.yaml', '--from', 'prometheus', '--url', `http://127.0.0.1:${port}`, '--out', 'new.yaml'],
          { cwd: ws.dir, out: new Capture(), err },
        ),
        1,
      );
      assert.match(
        err.text,
        new RegExp(
          `consolidate usage: Prometheus at http://127\\.0\\.0\\.1:${port} did not answer \\(ECONNREFUSED\\)\\.`,
        ),
      );
    } finally {
      ws.dispose();
    }
  });

  it("Prometheus's own error (a bad query, too many points) is passed on", async () => {
    let authorization: string | undefined;
    const server = http.createServer((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'error',
          errorType: 'bad_data',
          error: 'exceeded maximum resolution of 11,000 points per timeseries',
        }),
      );
    });
    const port = await listen(server);
    const ws = tempWorkspace({ copyFrom: EXAMPLE });
    try {
      const err = new Capture();
      assert.equal(
        await usage(
          [
            'fine-on-paper.plan.yaml',
            '--from',
            'prometheus',
            '--url',
            `http://user:secret@127.0.0.1:${port}`,
            '--out',
            'new.yaml',
          ],
          { cwd: ws.dir, out: new Capture(), err },
        ),
        1,
      );
      assert.match(
        err.text,
        /Prometheus refused the query \(400 bad_data\): exceeded maximum resolution of 11,000 points per timeseries/,
      );
      assert.doesNotMatch(err.text, /secret/);
      // Credentials in the URL go as Basic authentication.
      assert.equal(authorization, `Basic ${Buffer.from('user:secret').toString('base64')}`);
    } finally {
      server.close();
      ws.dispose();
    }
  });

  it('--window and --max-points are checked before anything is asked', async () => {
    const ws = tempWorkspace({ copyFrom: EXAMPLE });
    try {
      await assert.rejects(
        usage(['fine-on-paper.plan.yaml', '--from', 'prometheus', '--url', 'http://x', '--window', '7 days'], {
          cwd: ws.dir,
          out: new Capture(),
          err: new Capture(),
        }),
        /--window takes a duration such as 7d/,
      );
      await assert.rejects(
        usage(['fine-on-paper.plan.yaml', '--from', 'prometheus', '--url', 'http://x', '--max-points', '20000'], {
          cwd: ws.dir,
          out: new Capture(),
          err: new Capture(),
        }),
        /--max-points takes a whole number from 10 to 11000/,
      );
    } finally {
      ws.dispose();
    }
  });
});
