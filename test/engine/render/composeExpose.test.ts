// Compose `expose:` converted as Kompose does (issue 13 item 4): exposed ports become container ports
// and Service ports, so callers of `db:3306` keep working, and a merge checks them for conflicts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findingsOf, PLAN, planText, workspaceOf } from '../../helpers/renderWorkspace';

type Obj = Record<string, any>;

const compose = [
  'services:',
  '  api:',
  '    image: example/api:1',
  '    ports: ["8080:80"]',
  '  db:',
  '    image: mysql:8',
  '    expose: ["3306"]',
  '  cache:',
  '    image: example/cache:1',
  '    expose: ["3306", "11211/udp"]',
  '',
].join('\n');

function setup(from: string) {
  return workspaceOf({
    'compose.yaml': compose,
    'test.plan.yaml': planText([
      'sources: [compose.yaml]',
      'phases:',
      '  - name: one',
      '    merge:',
      `      - {name: backend, from: [${from}]}`,
    ]),
  });
}

describe('compose expose', () => {
  it('an exposed port is a container port of the merged pod and a port of the Service named after the service', () => {
    const ws = setup('api, db');
    const phase = ws.render(PLAN)!.phases[0];
    const merged = phase.objects.find((o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'backend')!
      .object as Obj;
    const ports = merged.spec.template.spec.containers.map((c: Obj) => [
      c.name,
      (c.ports ?? []).map((p: Obj) => p.containerPort),
    ]);
    assert.deepEqual(ports, [
      ['api', [80]],
      ['db', [3306]],
    ]);
    const db = phase.objects.find((o) => o.object.kind === 'Service' && o.object.metadata.name === 'db');
    assert.ok(db, `a Service db: ${phase.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).join(', ')}`);
    assert.deepEqual((db.object.spec as Obj).ports, [{ name: '3306', port: 3306, targetPort: 3306, protocol: 'TCP' }]);
    assert.deepEqual((db.object.spec as Obj).selector, { 'consolidation.dev/merge': 'backend' });
  });

  it('two services exposing one port conflict in a merge', () => {
    const findings = findingsOf(setup('db, cache'), 'merge/port-conflict');
    assert.deepEqual(
      findings.map((f) => f.message),
      [
        'Merge backend: container cache of cache and container db of db both listen on 3306/TCP; in one pod they share one network namespace.',
      ],
    );
  });
});

describe('compose ports of one number and two protocols', () => {
  it('get Service port names that are unique (53 and 53-udp), so the Service is valid', () => {
    const ws = workspaceOf({
      'compose.yaml':
        'services:\n  dns:\n    image: coredns/coredns:1.11.1\n    ports: ["53:53"]\n    expose: ["53/udp"]\n  api:\n    image: example/api:1\n',
      'test.plan.yaml': planText([
        'sources: [compose.yaml]',
        'phases:',
        '  - name: one',
        '    merge:',
        '      - {name: edge, from: [dns, api]}',
      ]),
    });
    const dns = ws
      .render(PLAN)!
      .phases[0].objects.find((o) => o.object.kind === 'Service' && o.object.metadata.name === 'dns')!;
    assert.deepEqual((dns.object.spec as Obj).ports, [
      { name: '53', port: 53, targetPort: 53, protocol: 'TCP' },
      { name: '53-udp', port: 53, targetPort: 53, protocol: 'UDP' },
    ]);
  });
});
