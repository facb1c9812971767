// The merge/* diagnostics: for each code a case where it must fire (code, severity, message, the exact plan range,
// related manifest locations) and near misses where it must not; then the quick fixes, applied to the plan text in
// flow and block style: the result parses, validates, and the diagnostic is gone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../../server/src/engine/rules/types';
import { podSpecOf } from '../../../server/src/engine/render/kube';
import {
  actionsOf,
  applyChanges,
  assertParses,
  claim,
  findingsOf,
  hpa,
  MANIFESTS,
  pdb,
  PLAN,
  planText,
  rangeOf,
  service,
  simple,
  workload,
  workspaceOf,
} from '../../helpers/renderWorkspace';

/** One phase `one` with the given merge lines (written at 6 spaces, under `merge:`). */
function setup(manifests: string, mergeLines: string[], extraSpec: string[] = []) {
  const text = planText([
    'sources: [m.yaml]',
    ...extraSpec,
    'phases:',
    '  - name: one',
    '    merge:',
    ...mergeLines.map((l) => `      ${l}`),
  ]);
  const ws = workspaceOf({ 'm.yaml': manifests, 'test.plan.yaml': text });
  return { ws, text, manifests };
}

function only(findings: Finding[], code: string): Finding {
  const matching = findings.filter((f) => f.code === code);
  assert.equal(
    matching.length,
    1,
    `exactly one ${code}; got ${JSON.stringify(
      findings.map((f) => `${f.code}: ${f.message}`),
      null,
      1,
    )}`,
  );
  return matching[0];
}

function none(findings: Finding[], code: string): void {
  assert.deepEqual(
    findings.filter((f) => f.code === code).map((f) => f.message),
    [],
    `no ${code}`,
  );
}

/** The finding's location is exactly `range` in the plan file. */
function assertAtInPlan(finding: Finding, range: { start: number; end: number }): void {
  assert.equal(finding.location.file, PLAN);
  assert.deepEqual(finding.location.range, range, `${finding.code} range`);
}

/** Each related location is in the manifest file and the text it covers contains the given snippet, in order. */
function relatedTo(finding: Finding, manifests: string, expected: { snippet: string; message: string }[]): void {
  const related = finding.related ?? [];
  assert.equal(related.length, expected.length, `${finding.code}: ${expected.length} related locations`);
  related.forEach((r, i) => {
    assert.equal(r.location.file, MANIFESTS);
    const covered = manifests.slice(r.location.range.start, r.location.range.end);
    assert.ok(
      covered.includes(expected[i].snippet),
      `related ${i} covers ${JSON.stringify(expected[i].snippet)}: ${JSON.stringify(covered)}`,
    );
    assert.equal(r.message, expected[i].message);
  });
}

describe('merge/port-conflict', () => {
  const manifests = simple('api', { ports: [{ port: 8080 }] }) + simple('web', { ports: [{ port: 8080 }] });

  it('two merged workloads listening on one port: error on the second reference', () => {
    const { ws, text } = setup(manifests, ['- {name: shop, from: [api, web]}']);
    const f = only(findingsOf(ws), 'merge/port-conflict');
    assert.equal(f.severity, 'error');
    assert.equal(
      f.message,
      'Merge shop: container web of web and container api of api both listen on 8080/TCP; in one pod they share one network namespace.',
    );
    assertAtInPlan(f, rangeOf(text, 'web', { after: 'from: [api, ' }));
    relatedTo(f, manifests, [
      { snippet: '8080', message: 'web: 8080/TCP' },
      { snippet: '8080', message: 'api: 8080/TCP' },
    ]);
    // The two related locations are the two containerPort values, in web's and in api's document.
    const [webPort, apiPort] = f.related!.map((r) => r.location.range.start);
    assert.ok(apiPort < manifests.indexOf('name: web') && webPort > manifests.indexOf('name: web'));
  });

  it('near misses: another protocol, another number, a replace merge, or two containers of one workload', () => {
    const udp =
      simple('api', { ports: [{ port: 8080 }] }) + simple('dns', { ports: [{ port: 8080, protocol: 'UDP' }] });
    none(findingsOf(setup(udp, ['- {name: shop, from: [api, dns]}']).ws), 'merge/port-conflict');
    const other = simple('api', { ports: [{ port: 8080 }] }) + simple('web', { ports: [{ port: 8081 }] });
    none(findingsOf(setup(other, ['- {name: shop, from: [api, web]}']).ws), 'merge/port-conflict');
    // replace: one new container; the old ports do not meet in one pod.
    none(
      findingsOf(
        setup(manifests, ['- {name: shop, from: [api, web], strategy: replace, container: {image: x, ports: [8080]}}'])
          .ws,
      ),
      'merge/port-conflict',
    );
    const twoContainers =
      workload('api', {
        containers: [
          { name: 'a', ports: [{ port: 9000 }] },
          { name: 'b', ports: [{ port: 9000 }] },
        ],
      }) + simple('web', { ports: [{ port: 8081 }] });
    none(findingsOf(setup(twoContainers, ['- {name: shop, from: [api, web]}']).ws), 'merge/port-conflict');
  });
});

describe('merge/kind-mismatch', () => {
  it('a Deployment with a StatefulSet: error on the StatefulSet reference', () => {
    const manifests = simple('api') + simple('db', { kind: 'StatefulSet' });
    const { ws, text } = setup(manifests, ['- {name: shop, from: [api, db]}']);
    const f = only(findingsOf(ws), 'merge/kind-mismatch');
    assert.equal(f.severity, 'error');
    assert.equal(
      f.message,
      'Merge shop: db is a StatefulSet and api a Deployment: only Deployments with Deployments or StatefulSets with StatefulSets merge into one pod.',
    );
    assertAtInPlan(f, rangeOf(text, 'db', { after: 'from: [api, ' }));
    relatedTo(f, manifests, [{ snippet: 'db', message: 'StatefulSet db' }]);
  });

  it('a DaemonSet cannot be merged at all', () => {
    const manifests = simple('api') + simple('agent', { kind: 'DaemonSet' });
    const { ws, text } = setup(manifests, ['- {name: shop, from: [api, agent]}']);
    const f = only(findingsOf(ws), 'merge/kind-mismatch');
    assert.equal(
      f.message,
      'Merge shop: agent is a DaemonSet: only Deployments with Deployments or StatefulSets with StatefulSets merge into one pod.',
    );
    assertAtInPlan(f, rangeOf(text, 'agent', { after: 'from: [api, ' }));
  });

  it('near misses: StatefulSets together, Deployments together', () => {
    none(
      findingsOf(
        setup(simple('a', { kind: 'StatefulSet' }) + simple('b', { kind: 'StatefulSet' }), [
          '- {name: ab, from: [a, b]}',
        ]).ws,
      ),
      'merge/kind-mismatch',
    );
    none(findingsOf(setup(simple('a') + simple('b'), ['- {name: ab, from: [a, b]}']).ws), 'merge/kind-mismatch');
  });
});

describe('merge/namespace-mismatch', () => {
  it('workloads in two namespaces: error on the reference in the other namespace', () => {
    const manifests = simple('api', { namespace: 'shop' }) + simple('billing', { namespace: 'finance' });
    const { ws, text } = setup(manifests, ['- {name: m, from: [shop/api, finance/billing]}']);
    const f = only(findingsOf(ws), 'merge/namespace-mismatch');
    assert.equal(f.severity, 'error');
    assert.equal(f.message, 'Merge m: billing is in namespace finance, api in shop: one pod lives in one namespace.');
    assertAtInPlan(f, rangeOf(text, 'finance/billing'));
    relatedTo(f, manifests, [{ snippet: 'billing', message: 'billing' }]);
  });

  it('near miss: a workload without namespace lives in the plan namespace', () => {
    const manifests = simple('api') + simple('billing', { namespace: 'shop' });
    const { ws } = setup(manifests, ['- {name: m, from: [api, billing]}'], ['namespace: shop']);
    none(findingsOf(ws), 'merge/namespace-mismatch');
  });
});

describe('merge/service-account-conflict', () => {
  const manifests =
    simple('api', { podSpec: ['serviceAccountName: api-sa'] }) +
    simple('web', { podSpec: ['serviceAccountName: web-sa'] });

  it('two service accounts: error on the merge name, one fix per account', () => {
    const { ws, text } = setup(manifests, ['- {name: shop, from: [api, web]}']);
    const f = only(findingsOf(ws), 'merge/service-account-conflict');
    assert.equal(f.severity, 'error');
    assert.equal(
      f.message,
      'Merge shop: the workloads run as different service accounts (api-sa, web-sa); one pod has one. Choose which the merged pod uses.',
    );
    assertAtInPlan(f, rangeOf(text, 'shop', { after: 'name: ' }));
    relatedTo(f, manifests, [
      { snippet: 'api', message: 'api: serviceAccountName api-sa' },
      { snippet: 'web', message: 'web: serviceAccountName web-sa' },
    ]);
    assert.deepEqual(
      actionsOf(f).map((a) => a.title),
      ['Use service account api-sa', 'Use service account web-sa'],
    );
  });

  it('near misses: the same account; an explicit "default" and none; the merge naming one', () => {
    const same =
      simple('api', { podSpec: ['serviceAccountName: shop'] }) +
      simple('web', { podSpec: ['serviceAccountName: shop'] });
    none(findingsOf(setup(same, ['- {name: shop, from: [api, web]}']).ws), 'merge/service-account-conflict');
    const defaulted = simple('api', { podSpec: ['serviceAccountName: default'] }) + simple('web');
    none(findingsOf(setup(defaulted, ['- {name: shop, from: [api, web]}']).ws), 'merge/service-account-conflict');
    const chosen = setup(manifests, ['- {name: shop, from: [api, web], serviceAccountName: web-sa}']);
    none(findingsOf(chosen.ws), 'merge/service-account-conflict');
    const created = chosen.ws.render(PLAN)!.phases[0].objects.find((o) => o.role === 'created')!;
    assert.equal(podSpecOf(created.object).serviceAccountName, 'web-sa');
  });
});

describe('merge/pod-spec-conflict', () => {
  const differing: Record<string, [string, string]> = {
    nodeSelector: ['nodeSelector: {pool: a}', 'nodeSelector: {pool: b}'],
    tolerations: ['tolerations: [{key: gpu, operator: Exists}]', 'tolerations: [{key: spot, operator: Exists}]'],
    affinity: [
      'affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]}}}',
      'affinity: {}',
    ],
    hostNetwork: ['hostNetwork: true', 'hostNetwork: false'],
    securityContext: ['securityContext: {runAsUser: 1000}', 'securityContext: {runAsUser: 2000}'],
    restartPolicy: ['restartPolicy: Always', 'restartPolicy: OnFailure'],
  };
  for (const [field, [first, second]] of Object.entries(differing)) {
    it(`${field} differs: error on the second reference`, () => {
      const manifests = simple('api', { podSpec: [first] }) + simple('web', { podSpec: [second] });
      const { ws, text } = setup(manifests, ['- {name: shop, from: [api, web]}']);
      const f = only(findingsOf(ws), 'merge/pod-spec-conflict');
      assert.equal(f.severity, 'warning');
      assert.match(
        f.message,
        new RegExp(`^Merge shop: web and api set different ${field} \\(.+ vs .+\\); the merged pod takes api's\\.$`),
      );
      assertAtInPlan(f, rangeOf(text, 'web', { after: 'from: [api, ' }));
      relatedTo(f, manifests, [{ snippet: 'web', message: 'web' }]);
    });
  }

  it('near miss: the same values', () => {
    const manifests =
      simple('api', { podSpec: ['nodeSelector: {pool: a}', 'securityContext: {runAsUser: 1000}'] }) +
      simple('web', { podSpec: ['nodeSelector: {pool: a}', 'securityContext: {runAsUser: 1000}'] });
    none(findingsOf(setup(manifests, ['- {name: shop, from: [api, web]}']).ws), 'merge/pod-spec-conflict');
  });

  // The same pod spec written differently is not a conflict: these are the values Kubernetes defaults to, or the
  // same mapping in another key order.
  const equivalent: Record<string, [string, string | undefined]> = {
    'a nodeSelector in another key order': ['nodeSelector: {pool: a, zone: z1}', 'nodeSelector: {zone: z1, pool: a}'],
    'restartPolicy: Always (the only value a Deployment allows) and none': ['restartPolicy: Always', undefined],
    'hostNetwork: false and none': ['hostNetwork: false', undefined],
    'securityContext: {} and none': ['securityContext: {}', undefined],
    'tolerations: [] and none': ['tolerations: []', undefined],
  };
  for (const [what, [first, second]] of Object.entries(equivalent)) {
    it(`near miss: ${what}`, () => {
      const manifests = simple('api', { podSpec: [first] }) + simple('web', { podSpec: second ? [second] : [] });
      none(findingsOf(setup(manifests, ['- {name: shop, from: [api, web]}']).ws), 'merge/pod-spec-conflict');
    });
  }
});

describe('merge/singleton-replicated', () => {
  const api =
    simple('api', { replicas: 2, ports: [{ port: 8080 }] }) +
    service('api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]);

  it('a 1-replica worker no Service selects, merged into a 2-replica pod: warning on its reference, two fixes', () => {
    const manifests = api + simple('worker', { replicas: 1 });
    const { ws, text } = setup(manifests, ['- {name: app, from: [api, worker]}']);
    const f = only(findingsOf(ws), 'merge/singleton-replicated');
    assert.equal(f.severity, 'warning');
    assert.equal(
      f.message,
      'Merge app: worker ran 1 replica and no Service selects it (a worker, a reconciler): in a pod with 2 replicas its work would run 2 times.',
    );
    assertAtInPlan(f, rangeOf(text, 'worker', { after: 'from: [api, ' }));
    // Related: the worker's `replicas: 1` in the manifest.
    assert.equal(f.related?.length, 1);
    assert.equal(f.related![0].location.file, MANIFESTS);
    assert.equal(manifests.slice(f.related![0].location.range.start, f.related![0].location.range.end), '1');
    assert.ok(f.related![0].location.range.start > manifests.indexOf('name: worker'));
    assert.equal(f.related![0].message, 'worker: 1 replica');
    assert.deepEqual(
      actionsOf(f).map((a) => a.title),
      ['Set replicas: 1', 'Leave worker out of the merge'],
    );
  });

  it('also with replicas left out (1 by default) and the merge asking for 3', () => {
    const { ws, text } = setup(api + simple('worker'), ['- {name: app, from: [api, worker], replicas: 3}']);
    const f = only(findingsOf(ws), 'merge/singleton-replicated');
    assert.equal(
      f.message,
      'Merge app: worker ran 1 replica and no Service selects it (a worker, a reconciler): in a pod with 3 replicas its work would run 3 times.',
    );
    assertAtInPlan(f, rangeOf(text, 'worker', { after: 'from: [api, ' }));
  });

  it('near misses: the merge sets replicas 1; a Service selects the worker; the worker already ran 2', () => {
    none(
      findingsOf(
        setup(api + simple('worker', { replicas: 1 }), ['- {name: app, from: [api, worker], replicas: 1}']).ws,
      ),
      'merge/singleton-replicated',
    );
    const served =
      api +
      simple('worker', { replicas: 1, ports: [{ port: 9000 }] }) +
      service('worker', { app: 'worker' }, [{ port: 9000 }]);
    none(findingsOf(setup(served, ['- {name: app, from: [api, worker]}']).ws), 'merge/singleton-replicated');
    none(
      findingsOf(setup(api + simple('worker', { replicas: 2 }), ['- {name: app, from: [api, worker]}']).ws),
      'merge/singleton-replicated',
    );
  });
});

describe('merge/rwo-volume-replicated', () => {
  const db = (claimName: string) =>
    simple('db', {
      replicas: 1,
      podSpec: [`volumes: [{name: data, persistentVolumeClaim: {claimName: ${claimName}}}]`],
    });

  it('a ReadWriteOnce claim in a merged pod with 2 replicas: error on the reference that mounts it', () => {
    const manifests = simple('api', { replicas: 2 }) + db('db-data') + claim('db-data', ['ReadWriteOnce']);
    const { ws, text } = setup(manifests, ['- {name: app, from: [api, db]}']);
    const f = only(findingsOf(ws), 'merge/rwo-volume-replicated');
    assert.equal(f.severity, 'error');
    assert.equal(
      f.message,
      'Merge app: db mounts claim db-data (ReadWriteOnce); 2 replicas of the merged pod cannot all mount it.',
    );
    assertAtInPlan(f, rangeOf(text, 'db', { after: 'from: [api, ' }));
    relatedTo(f, manifests, [{ snippet: 'name: db-data', message: 'PersistentVolumeClaim db-data' }]);
  });

  it('ReadWriteOncePod too', () => {
    const manifests = simple('api', { replicas: 2 }) + db('db-data') + claim('db-data', ['ReadWriteOncePod']);
    only(findingsOf(setup(manifests, ['- {name: app, from: [api, db]}']).ws), 'merge/rwo-volume-replicated');
  });

  it('near misses: a ReadWriteMany claim; one replica', () => {
    const rwx = simple('api', { replicas: 2 }) + db('db-data') + claim('db-data', ['ReadWriteMany']);
    none(findingsOf(setup(rwx, ['- {name: app, from: [api, db]}']).ws), 'merge/rwo-volume-replicated');
    const rwo = simple('api', { replicas: 2 }) + db('db-data') + claim('db-data', ['ReadWriteOnce']);
    none(findingsOf(setup(rwo, ['- {name: app, from: [api, db], replicas: 1}']).ws), 'merge/rwo-volume-replicated');
  });
});

describe('merge/volume-dropped', () => {
  const compose = [
    'services:',
    '  api:',
    '    image: example/api:1',
    '    volumes:',
    '      - data:/var/lib/data',
    '      - ./conf:/etc/conf:ro',
    '      - /cache',
    '      - {type: tmpfs, target: /tmp}',
    '  web:',
    '    image: example/web:1',
    'volumes:',
    '  data:',
    '',
  ].join('\n');

  it('a compose service with volumes in a merge: warning on its reference, naming each volume (not tmpfs)', () => {
    const { ws, text } = setup(compose, ['- {name: app, from: [api, web]}']);
    const f = only(findingsOf(ws), 'merge/volume-dropped');
    assert.equal(f.severity, 'warning');
    assert.equal(
      f.message,
      'Merge app: api mounts volume data at /var/lib/data, an anonymous volume at /cache, host path ./conf at /etc/conf, which the merged workload does not: its data would last only as long as the pod, and the files from the host would be missing (compose volumes are not converted: add PersistentVolumeClaims, ConfigMaps or hostPath volumes to the generated manifests before applying).',
    );
    assertAtInPlan(f, rangeOf(text, 'api', { after: 'from: [' }));
  });

  it("a replace merge leaves a Kubernetes source's claim behind; a pod merge keeps it", () => {
    const manifests =
      simple('api') +
      simple('db', { podSpec: ['volumes: [{name: data, persistentVolumeClaim: {claimName: db-data}}]'] }) +
      claim('db-data', ['ReadWriteOnce']);
    const replaced = setup(manifests, [
      '- {name: app, from: [api, db], strategy: replace, container: {image: example/app:1}}',
    ]);
    const f = only(findingsOf(replaced.ws), 'merge/volume-dropped');
    assert.equal(
      f.message,
      'Merge app: db mounts claim db-data, which the merged workload does not: its data would last only as long as the pod (mount it in the new workload after generating, or keep that workload out of the merge).',
    );
    assertAtInPlan(f, rangeOf(replaced.text, 'db', { after: 'from: [api, ' }));
    none(findingsOf(setup(manifests, ['- {name: app, from: [api, db]}']).ws), 'merge/volume-dropped');
  });
});

describe('merge/hpa-orphaned', () => {
  it('an HPA targeting a merged workload: warning on its reference', () => {
    const manifests = simple('api') + simple('web') + hpa('api-hpa', { kind: 'Deployment', name: 'api' });
    const { ws, text } = setup(manifests, ['- {name: shop, from: [api, web]}']);
    const all = findingsOf(ws);
    const f = only(
      all.filter((x) => x.location.file.endsWith('.plan.yaml')),
      'merge/hpa-orphaned',
    );
    assert.equal(f.severity, 'warning');
    assert.equal(
      f.message,
      'Merge shop: HorizontalPodAutoscaler api-hpa targets api, which the merge scales to 0: it would no longer apply to anything; move it to shop.',
    );
    assertAtInPlan(f, rangeOf(text, 'api', { after: 'from: [' }));
    relatedTo(f, manifests, [{ snippet: 'name: api-hpa', message: 'HorizontalPodAutoscaler api-hpa' }]);
    // And on the HPA itself, with the quick fix that re-targets it (test/engine/budget/hpaPdb.test.ts applies it).
    const onHpa = only(
      all.filter((x) => !x.location.file.endsWith('.plan.yaml')),
      'merge/hpa-orphaned',
    );
    assert.equal(
      onHpa.message,
      'Merge shop: HorizontalPodAutoscaler api-hpa targets api, which phase one merges into shop: re-target it at Deployment shop.',
    );
    assert.equal(onHpa.data?.fix, 'edits');
  });

  it('a PodDisruptionBudget selecting a merged workload', () => {
    const manifests = simple('api') + simple('web') + pdb('web-pdb', { app: 'web' });
    const { ws, text } = setup(manifests, ['- {name: shop, from: [api, web]}']);
    const f = only(findingsOf(ws), 'merge/hpa-orphaned');
    assert.equal(
      f.message,
      'Merge shop: PodDisruptionBudget web-pdb targets web, which the merge scales to 0: it would no longer apply to anything; move it to shop.',
    );
    assertAtInPlan(f, rangeOf(text, 'web', { after: 'from: [api, ' }));
  });

  it('near misses: an HPA of a workload left alone, of a StatefulSet of the same name, in another namespace; a PDB selecting something else', () => {
    const manifests =
      simple('api') +
      simple('web') +
      simple('other') +
      hpa('other-hpa', { kind: 'Deployment', name: 'other' }) +
      hpa('api-sts-hpa', { kind: 'StatefulSet', name: 'api' }) +
      hpa('api-elsewhere', { kind: 'Deployment', name: 'api' }, 'elsewhere') +
      pdb('other-pdb', { app: 'other' });
    none(findingsOf(setup(manifests, ['- {name: shop, from: [api, web]}']).ws), 'merge/hpa-orphaned');
  });
});

describe('merge/port-unmapped', () => {
  const manifests =
    simple('api', { ports: [{ port: 8080 }] }) +
    service('api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]) +
    simple('web', { ports: [{ port: 9090 }] }) +
    service('web', { app: 'web' }, [{ port: 9090 }]);
  const container = 'container: {image: shop:1, ports: [8000, 9000]}';

  it('a replace merge with a Service port it does not map: error on `ports`', () => {
    const { ws, text } = setup(manifests, [
      '- name: shop',
      '  from: [api, web]',
      '  strategy: replace',
      '  ports: {80: 8000}',
      `  ${container}`,
    ]);
    const f = only(findingsOf(ws), 'merge/port-unmapped');
    assert.equal(f.severity, 'error');
    assert.equal(
      f.message,
      'Merge shop: Service web port 9090 has no mapping in `ports`; its callers would reach nothing.',
    );
    assertAtInPlan(f, rangeOf(text, 'ports', { after: 'strategy: replace' }));
    relatedTo(f, manifests, [{ snippet: 'web', message: 'Service web' }]);
    assert.deepEqual(
      actionsOf(f).map((a) => a.title),
      ['Map port 9090 to container port 8000'],
    );
  });

  it('without `ports`: one error per Service port, on the merge name', () => {
    const { ws, text } = setup(manifests, [
      '- name: shop',
      '  from: [api, web]',
      '  strategy: replace',
      `  ${container}`,
    ]);
    const found = findingsOf(ws, 'merge/port-unmapped');
    assert.deepEqual(
      found.map((f) => f.message),
      [
        'Merge shop: Service api port 80 has no mapping in `ports`; its callers would reach nothing.',
        'Merge shop: Service web port 9090 has no mapping in `ports`; its callers would reach nothing.',
      ],
    );
    for (const f of found) assertAtInPlan(f, rangeOf(text, 'shop'));
  });

  it('near misses: every port mapped (number or name); a pod merge', () => {
    none(
      findingsOf(
        setup(manifests, [
          '- name: shop',
          '  from: [api, web]',
          '  strategy: replace',
          '  ports: {80: 8000, 9090: 9000}',
          `  ${container}`,
        ]).ws,
      ),
      'merge/port-unmapped',
    );
    none(findingsOf(setup(manifests, ['- {name: shop, from: [api, web]}']).ws), 'merge/port-unmapped');
  });
});

describe('merge/no-savings', () => {
  const manifests = simple('api') + simple('web');

  it('a pod merge without overhead saves pods, honestly no requests: hint on the merge name', () => {
    const { ws, text } = setup(manifests, ['- {name: shop, from: [api, web]}']);
    const f = only(findingsOf(ws), 'merge/no-savings');
    assert.equal(f.severity, 'hint');
    assert.equal(
      f.message,
      'Merge shop: saves 1 pod; requests change by 0 CPU and 0 memory. A pod merge keeps every container and its resources: it saves pods and per-pod overhead, not requests.',
    );
    assertAtInPlan(f, rangeOf(text, 'shop'));
  });

  it('with a pod overhead the pod merge saves the overhead of the pods it removes', () => {
    const { ws } = setup(
      manifests,
      ['- {name: shop, from: [api, web]}'],
      ['budget: {podOverhead: {cpu: 10m, memory: 32Mi}}'],
    );
    assert.equal(
      only(findingsOf(ws), 'merge/no-savings').message,
      'Merge shop: saves 1 pod; requests change by −10m CPU and −32Mi memory. A pod merge keeps every container and its resources: it saves pods and per-pod overhead, not requests.',
    );
  });

  it('a replace merge: the requests of the new container against the old ones, without the pod note', () => {
    const { ws } = setup(manifests, [
      '- {name: shop, from: [api, web], strategy: replace, container: {image: x, resources: {requests: {cpu: 150m, memory: 200Mi}}}}',
    ]);
    assert.equal(
      only(findingsOf(ws), 'merge/no-savings').message,
      'Merge shop: saves 1 pod; requests change by −50m CPU and −56Mi memory.',
    );
  });

  it('a merge after a scale in the same phase counts from the scaled values (the merge sees the new values)', () => {
    // api 1 -> 5 replicas by the scale; then api (5 pods) + web (1 pod) merge into 5 pods of both containers:
    // the merge saves 1 pod and adds web's container to 4 more pods (+400m, +512Mi). The scale's own 4 pods are not the merge's.
    const ws = workspaceOf({
      'm.yaml': manifests,
      'test.plan.yaml': planText([
        'sources: [m.yaml]',
        'phases:',
        '  - name: one',
        '    scale: {api: 5}',
        '    merge:',
        '      - {name: shop, from: [api, web]}',
      ]),
    });
    assert.equal(
      only(findingsOf(ws), 'merge/no-savings').message,
      'Merge shop: saves 1 pod; requests change by +400m CPU and +512Mi memory. A pod merge keeps every container and its resources: it saves pods and per-pod overhead, not requests.',
    );
  });

  it('near misses: no merge; a merge of nothing that resolves', () => {
    const noMerge = workspaceOf({
      'm.yaml': manifests,
      'test.plan.yaml': planText(['sources: [m.yaml]', 'phases:', '  - name: one', '    scale: {api: 2}']),
    });
    none(findingsOf(noMerge), 'merge/no-savings');
    const unresolved = setup(manifests, ['- {name: shop, from: [nope, nada]}']);
    none(findingsOf(unresolved.ws), 'merge/no-savings');
    assert.equal(findingsOf(unresolved.ws, 'plan/unknown-workload').length, 2);
  });
});

// ---- quick fixes ----------------------------------------------------------------------------------------------------

/** Applies one action to the plan, re-reads it, and returns the new text and its findings. */
function applyAction(ws: ReturnType<typeof setup>['ws'], text: string, finding: Finding, title: string) {
  const action = actionsOf(finding).find((a) => a.title === title);
  assert.ok(action, `action "${title}" among ${JSON.stringify(actionsOf(finding).map((a) => a.title))}`);
  const next = applyChanges(text, action.changes);
  ws.setOverlay(PLAN, next);
  return { text: next, findings: findingsOf(ws) };
}

/** The fixed plan parses, has no plan/* finding (schema, references), and the finding's code is gone. */
function assertFixed(result: { text: string; findings: Finding[] }, code: string): void {
  assertParses(result.text, 'the fixed plan');
  assert.deepEqual(
    result.findings.filter((f) => f.code.startsWith('plan/')).map((f) => `${f.code}: ${f.message}`),
    [],
    `the fixed plan validates:\n${result.text}`,
  );
  none(result.findings, code);
}

/** The same merge in three styles: one flow mapping; block with a block `from`; block with a flow `from`. */
function styles(name: string, from: string[], rest: string[]): Record<string, string[]> {
  return {
    flow: [`- {name: ${name}, from: [${from.join(', ')}]${rest.length ? `, ${rest.join(', ')}` : ''}}`],
    block: [`- name: ${name}`, '  from:', ...from.map((f) => `    - ${f}`), ...rest.map((r) => `  ${r}`)],
    'block, flow from': [`- name: ${name}`, `  from: [${from.join(', ')}]`, ...rest.map((r) => `  ${r}`)],
  };
}

describe('quick fixes', () => {
  const accounts =
    simple('api', { podSpec: ['serviceAccountName: api-sa'] }) +
    simple('web', { podSpec: ['serviceAccountName: web-sa'] });
  for (const [style, lines] of Object.entries(styles('shop', ['api', 'web'], []))) {
    for (const account of ['api-sa', 'web-sa']) {
      it(`service-account-conflict, ${style}: "Use service account ${account}" adds serviceAccountName and the merged pod uses it`, () => {
        const { ws, text } = setup(accounts, lines);
        const fixed = applyAction(
          ws,
          text,
          only(findingsOf(ws), 'merge/service-account-conflict'),
          `Use service account ${account}`,
        );
        assertFixed(fixed, 'merge/service-account-conflict');
        assert.equal(ws.planModel(PLAN)!.phases[0].merge[0].serviceAccountName, account);
        const created = ws.render(PLAN)!.phases[0].objects.find((o) => o.role === 'created')!;
        assert.equal(podSpecOf(created.object).serviceAccountName, account);
      });
    }
  }

  const singleton =
    simple('api', { replicas: 2, ports: [{ port: 8080 }] }) +
    service('api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]) +
    simple('worker', { replicas: 1 });
  for (const [style, lines] of Object.entries({
    ...styles('app', ['api', 'worker'], []),
    ...prefixed('with replicas: 3, ', styles('app', ['api', 'worker'], ['replicas: 3'])),
  })) {
    it(`singleton-replicated, ${style}: "Set replicas: 1"`, () => {
      const { ws, text } = setup(singleton, lines);
      const fixed = applyAction(ws, text, only(findingsOf(ws), 'merge/singleton-replicated'), 'Set replicas: 1');
      assertFixed(fixed, 'merge/singleton-replicated');
      assert.equal(ws.planModel(PLAN)!.phases[0].merge[0].replicas, 1);
    });
    it(`singleton-replicated, ${style}: "Leave worker out of the merge"`, () => {
      const { ws, text } = setup(singleton, lines);
      const fixed = applyAction(
        ws,
        text,
        only(findingsOf(ws), 'merge/singleton-replicated'),
        'Leave worker out of the merge',
      );
      assertFixed(fixed, 'merge/singleton-replicated');
      assert.deepEqual(
        ws.planModel(PLAN)!.phases[0].merge[0].from.map((r) => r.text),
        ['api'],
      );
    });
  }

  const storage =
    simple('api') +
    simple('db', { podSpec: ['volumes: [{name: data, persistentVolumeClaim: {claimName: db-data}}]'] }) +
    claim('db-data', ['ReadWriteOnce']);
  for (const [style, lines] of Object.entries(
    styles('app', ['api', 'db'], ['strategy: replace', 'container: {image: example/app:1}']),
  )) {
    it(`volume-dropped, ${style}: "Leave db out of the merge"`, () => {
      const { ws, text } = setup(storage, lines);
      const fixed = applyAction(ws, text, only(findingsOf(ws), 'merge/volume-dropped'), 'Leave db out of the merge');
      assertFixed(fixed, 'merge/volume-dropped');
      assert.deepEqual(
        ws.planModel(PLAN)!.phases[0].merge[0].from.map((r) => r.text),
        ['api'],
      );
    });
  }

  // Layouts a plan really has: comments after the merge, a trailing comment, indentless sequences, a flow mapping
  // over two lines, another merge and the phase's targets after it.
  const layouts: Record<string, string[]> = {
    'a trailing comment, another merge after': [
      '- name: app',
      '  from: [api, worker] # the two',
      '- {name: xy, from: [x, y]}',
    ],
    'a comment line after the merge': [
      '- name: app',
      '  from:',
      '    - api',
      '    - worker',
      '  # replicas not set: the largest',
      '',
    ],
    'a flow mapping over two lines': ['- {name: app,', '   from: [api, worker]}'],
  };
  for (const [layout, lines] of Object.entries(layouts)) {
    for (const title of ['Set replicas: 1', 'Leave worker out of the merge']) {
      it(`singleton-replicated, ${layout}: "${title}"`, () => {
        const { ws, text } = setup(singleton + simple('x') + simple('y'), lines);
        assertFixed(
          applyAction(ws, text, only(findingsOf(ws), 'merge/singleton-replicated'), title),
          'merge/singleton-replicated',
        );
      });
    }
  }
  it('singleton-replicated, indentless sequences and the phase targets after the merge: both fixes', () => {
    const text = planText([
      'sources: [m.yaml]',
      'phases:',
      '- name: one',
      '  merge:',
      '  - name: app',
      '    from:',
      '    - api',
      '    - worker',
      '  targets: {pods: 5}',
    ]);
    for (const title of ['Set replicas: 1', 'Leave worker out of the merge']) {
      const ws = workspaceOf({ 'm.yaml': singleton, 'test.plan.yaml': text });
      assertFixed(
        applyAction(ws, text, only(findingsOf(ws), 'merge/singleton-replicated'), title),
        'merge/singleton-replicated',
      );
    }
  });

  const unmapped =
    simple('api', { ports: [{ port: 8080 }] }) +
    service('api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]) +
    simple('web', { ports: [{ port: 9090 }] }) +
    service('web', { app: 'web' }, [{ port: 9090 }]);
  const replaceStyles = {
    ...styles('shop', ['api', 'web'], ['strategy: replace', 'container: {image: shop:1, ports: [8000]}']),
    ...prefixed(
      'with flow ports, ',
      styles(
        'shop',
        ['api', 'web'],
        ['strategy: replace', 'ports: {80: 8000}', 'container: {image: shop:1, ports: [8000]}'],
      ),
    ),
    'block with block ports': [
      '- name: shop',
      '  from: [api, web]',
      '  strategy: replace',
      '  ports:',
      '    80: 8000 # the API',
      '  container: {image: shop:1, ports: [8000]}',
    ],
  };
  for (const [style, lines] of Object.entries(replaceStyles)) {
    it(`port-unmapped, ${style}: every "Map port" action, applied one after the other, maps every port`, () => {
      const { ws } = setup(unmapped, lines);
      let text = ws.text(PLAN)!;
      let findings = findingsOf(ws, 'merge/port-unmapped');
      assert.ok(findings.length >= 1);
      for (let guard = 0; findings.length > 0; guard++) {
        assert.ok(guard < 4, 'the fixes converge');
        const f = findings[0];
        const port = /port (\d+) has no mapping/.exec(f.message)![1];
        const result = applyAction(ws, text, f, `Map port ${port} to container port 8000`);
        assertParses(result.text, 'the fixed plan');
        text = result.text;
        findings = result.findings.filter((x) => x.code === 'merge/port-unmapped');
        assert.ok(
          !findings.some((x) => x.message.includes(`port ${port} has`)),
          `port ${port} is mapped now:\n${text}`,
        );
      }
      assertFixed({ text, findings: findingsOf(ws) }, 'merge/port-unmapped');
      const mapped = ws
        .planModel(PLAN)!
        .phases[0].merge[0].ports.map((p) => `${p.servicePort}:${p.containerPort}`)
        .sort();
      assert.deepEqual(mapped, ['80:8000', '9090:8000']);
    });
  }
});

function prefixed(prefix: string, map: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [`${prefix}${k}`, v]));
}
