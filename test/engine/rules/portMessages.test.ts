// Issue 13 item 11: port messages a user had to decode ("container ui-admin and container ui-admin"). Each names the
// workloads and containers involved so that the two sides can be told apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findingsOf, MANIFESTS, planText, simple, workload, workspaceOf } from '../../helpers/renderWorkspace';

const messages = (ws: ReturnType<typeof workspaceOf>, code: string, file?: string) =>
  findingsOf(ws, code, file).map((f) => f.message);

describe('port messages', () => {
  it('merge/port-conflict between two workloads of one name (two namespaces) names each by namespace', () => {
    const manifests =
      simple('api', { namespace: 'a', ports: [{ port: 8080 }] }) +
      simple('api', { namespace: 'b', ports: [{ port: 8080 }] });
    const ws = workspaceOf({
      'm.yaml': manifests,
      'test.plan.yaml': planText([
        'sources: [m.yaml]',
        'phases:',
        '  - name: one',
        '    merge:',
        '      - {name: both, from: [a/api, b/api]}',
      ]),
    });
    assert.deepEqual(messages(ws, 'merge/port-conflict'), [
      'Merge both: container api of b/api and container api of a/api both listen on 8080/TCP; in one pod they share one network namespace.',
    ]);
  });

  it("merge/port-conflict of a replace merge whose container lists a port twice says so, not 'container X and container X'", () => {
    const ws = workspaceOf({
      'm.yaml': simple('ui-admin', { ports: [{ port: 8080 }] }) + simple('ui-public', { ports: [{ port: 8081 }] }),
      'test.plan.yaml': planText([
        'sources: [m.yaml]',
        'phases:',
        '  - name: one',
        '    merge:',
        '      - {name: ui, from: [ui-admin, ui-public], strategy: replace, container: {image: example/ui:2, ports: [8080, 8080]}}',
      ]),
    });
    assert.deepEqual(messages(ws, 'merge/port-conflict'), [
      "Merge ui: the merge's container lists port 8080/TCP twice; a container port is declared once.",
    ]);
  });

  it('manifest/duplicate-port: one container listing a port twice, and two containers sharing one', () => {
    const manifests =
      workload('ui-admin', { containers: [{ name: 'ui-admin', ports: [{ port: 8080 }, { port: 8080 }] }] }) +
      workload('api', {
        containers: [
          { name: 'app', ports: [{ port: 9000 }] },
          { name: 'metrics', ports: [{ port: 9000 }] },
        ],
      });
    const ws = workspaceOf({ 'm.yaml': manifests });
    assert.deepEqual(
      ws.findings
        .manifest(MANIFESTS)
        .filter((f) => f.code === 'manifest/duplicate-port')
        .map((f) => f.message),
      [
        'ui-admin: port 8080/TCP is declared twice in one pod (container ui-admin lists it twice).',
        'api: port 9000/TCP is declared twice in one pod (containers app and metrics).',
      ],
    );
  });
});
