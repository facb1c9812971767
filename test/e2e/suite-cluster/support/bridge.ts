// Runner side: a small HTTP endpoint on loopback through which the extension-host tests
// (suite-cluster/*.test.ts) reach what only the runner has: the test API server's stored objects,
// and the browser, to read and answer the modal dialogs of Apply and Roll Back (they have no
// "confirmed" argument, so a person's click is the only way past them) and the notifications.
//   GET  /cluster              -> ClusterSnapshot
//   GET  /requests?from=N      -> RequestSummary[]
//   POST /dialog  {button, timeoutMs?, step?}         -> DialogSeen (after pressing `button`)
//   POST /notification {contains, button?, timeoutMs?} -> NotificationSeen (after pressing `button`)
//   POST /shot {step}          -> {screenshot}
//   POST /done {failures?, error?} -> {} (the suite-driver extension: the suite has finished)
// Errors answer 500 with {error}.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from '../../lib/browser';
import { rel } from '../../lib/results';
import type { ClusterEnv } from './cluster-env';
import { pressDialogButton, pressToastButton, waitForDialog, waitForToast } from './dialogs';

export interface SuiteDone {
  failures?: number;
  error?: string;
}

export interface Bridge {
  readonly url: string;
  /** Resolves when the suite-driver extension reports the end of the suite (POST /done). */
  readonly done: Promise<SuiteDone>;
  close(): Promise<void>;
}

export async function startBridge(
  env: ClusterEnv,
  browser: () => Browser | undefined,
  log: (line: string) => void,
): Promise<Bridge> {
  const page = () => {
    const b = browser();
    if (!b) throw new Error('the browser is not started yet');
    return b;
  };
  let reportDone: (done: SuiteDone) => void = () => undefined;
  const done = new Promise<SuiteDone>((resolve) => (reportDone = resolve));
  const routes: Record<string, (body: Record<string, unknown>, url: URL) => Promise<unknown>> = {
    'GET /cluster': async () => env.snapshot(),
    'GET /requests': async (_body, url) => env.requests(Number(url.searchParams.get('from') ?? 0)),
    'POST /dialog': async (body) => {
      const b = page();
      const timeoutMs = Number(body.timeoutMs ?? 20_000);
      const seen = await waitForDialog(b.page, timeoutMs);
      const screenshot = await b.shot(String(body.step ?? 'dialog'));
      log(`bridge: dialog "${seen.message}": pressing "${body.button}"`);
      await pressDialogButton(b.page, String(body.button), timeoutMs);
      return { ...seen, screenshot: screenshot && rel(screenshot) };
    },
    'POST /notification': async (body) => {
      const b = page();
      const timeoutMs = Number(body.timeoutMs ?? 20_000);
      const contains = body.contains as string | string[];
      const seen = await waitForToast(b.page, contains, timeoutMs);
      if (body.step) await b.shot(String(body.step));
      if (body.button) {
        log(`bridge: notification "${seen.text.slice(0, 80)}": pressing "${body.button}"`);
        await pressToastButton(
          b.page,
          Array.isArray(contains) ? contains[0]! : contains,
          String(body.button),
          timeoutMs,
        );
      }
      return seen;
    },
    'POST /done': async (body) => {
      reportDone({ failures: body.failures as number | undefined, error: body.error as string | undefined });
      return {};
    },
    'POST /shot': async (body) => {
      const shot = await page().shot(String(body.step ?? 'shot'));
      return { screenshot: shot && rel(shot) };
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = routes[`${req.method} ${url.pathname}`];
      const answer = (code: number, body: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (!route) return answer(404, { error: `no route ${req.method} ${url.pathname}` });
      let body: Record<string, unknown> = {};
      try {
        if (chunks.length) body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch (err) {
        return answer(400, { error: `bad JSON: ${(err as Error).message}` });
      }
      route(body, url).then(
        (result) => answer(200, result),
        (err: Error) => answer(500, { error: err.message ?? String(err) }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    done,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
