// The one-shot rule of compose services shown where a plan names them (issue 13 item 5): the hover on a
// reference says whether the service counts as a job or runs steadily, and why.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hover } from '../../server/src/service/hover';
import { plan, ROOT, workspaceOf } from '../helpers/memoryHost';

const compose = [
  'services:',
  '  web:',
  '    image: example/web:1',
  '    restart: always',
  '    ports: ["8080:80"]',
  '    deploy:',
  '      restart_policy: {condition: on-failure}',
  '  migrate:',
  '    image: example/web:1',
  '    restart: on-failure',
  '',
].join('\n');

function hoverText(name: string): string {
  const text = plan(`sources: [compose.yaml]\nphases:\n  - name: one\n    scale: {web: 2, migrate: 1}`);
  const ws = workspaceOf({ 'compose.yaml': compose, 'test.plan.yaml': text });
  const result = hover(ws, `${ROOT}/test.plan.yaml`, text.indexOf(`${name}:`) + 1);
  assert.ok(result, `a hover on ${name}`);
  return (result.contents as { value: string }).value;
}

describe('hover on a compose service', () => {
  it('says why a service with a one-shot restart policy still runs steadily', () => {
    assert.match(
      hoverText('web'),
      /\n\nRuns steadily: it declares ports, although its restart policy is on-failure \(deploy\.restart_policy\.condition: on-failure\)\./,
    );
  });

  it('says why a service counts as a job', () => {
    const text = hoverText('migrate');
    assert.match(text, /\(job: not steady-state load\)/);
    assert.match(
      text,
      /\n\nCounted as a job because its restart policy is on-failure \(restart: on-failure\) and it declares no ports, expose or healthcheck\./,
    );
  });
});

// Issue 13 item 11 in the hover: per pod and total of one resource in one unit (not `512Mi` beside `1Gi`).
describe('hover table units', () => {
  it('shows a row per pod and in total in one unit per resource', () => {
    const text = plan(`sources: [compose.yaml]\nphases:\n  - name: one\n    scale: {api: 3}`);
    const ws = workspaceOf({
      'compose.yaml':
        'services:\n  api:\n    image: example/api:1\n    cpus: "0.5"\n    mem_limit: 512M\n    deploy: {replicas: 2}\n',
      'test.plan.yaml': text,
    });
    const result = hover(ws, `${ROOT}/test.plan.yaml`, text.indexOf('api:') + 1);
    const value = (result?.contents as { value: string }).value;
    assert.match(value, /^\| requests \| cpu 500m, memory 512Mi \| cpu 1,000m, memory 1,024Mi \|$/m);
    assert.match(value, /^\| limits \| cpu 500m, memory 512Mi \| cpu 1,000m, memory 1,024Mi \|$/m);
  });
});
