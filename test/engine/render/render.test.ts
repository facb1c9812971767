// Rendering a plan's phases into manifests: pod merges, replace merges, scale-downs, remove/scale/resize, compose
// sources as Kompose would convert them, phase snapshots, YAML output and generated files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { generatedFiles } from '../../../server/src/engine/workspace/generate';
import { BEGIN, END, updateGeneratedFile } from '../../../server/src/engine/render/generatedFile';
import type { KubeObject } from '../../../server/src/engine/render/kube';
import type { PhaseRender, RenderedObject } from '../../../server/src/engine/render/renderPlan';
import { toYaml } from '../../../server/src/engine/render/toYaml';
import { PLAN, planText, ROOT, service, simple, workload, workspaceOf } from '../../helpers/renderWorkspace';

type Obj = Record<string, any>;

function render(files: Record<string, string>, phases: string[], extraSpec: string[] = []) {
  const ws = workspaceOf({
    ...files,
    'test.plan.yaml': planText(['sources: [m.yaml]', ...extraSpec, 'phases:', ...phases.map((l) => `  ${l}`)]),
  });
  const rendered = ws.render(PLAN);
  assert.ok(rendered);
  return { ws, rendered };
}

function find(phase: PhaseRender, kind: string, name: string): RenderedObject {
  const found = phase.objects.filter((o) => o.object.kind === kind && o.object.metadata.name === name);
  assert.equal(
    found.length,
    1,
    `one ${kind} ${name} in phase ${phase.phase.name}: ${phase.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).join(', ')}`,
  );
  return found[0];
}

const podSpec = (o: KubeObject): Obj => (o.spec as Obj).template.spec;
const containers = (o: KubeObject): Obj[] => podSpec(o).containers;
const byName = (list: Obj[], name: string): Obj => {
  const found = list.find((c) => c.name === name);
  assert.ok(found, `${name} among ${list.map((c) => c.name).join(', ')}`);
  return found;
};

describe('pod merge', () => {
  // Two workloads that both have a container `app`, a volume `config` (different ConfigMaps), a port named `http`
  // used by a probe, an init container `migrate`, and the same pull secret.
  const source = (name: string, port: number, replicas: number) =>
    workload(name, {
      replicas,
      podSpec: [
        'imagePullSecrets: [{name: registry}]',
        `volumes: [{name: config, configMap: {name: ${name}-config}}, {name: shared, emptyDir: {}}]`,
      ],
      init: [
        {
          name: 'migrate',
          image: `example/${name}-migrate:1`,
          extra: ['volumeMounts: [{name: config, mountPath: /etc/app}]'],
        },
      ],
      containers: [
        {
          name: 'app',
          image: `example/${name}:1`,
          ports: [{ port, name: 'http' }],
          requests: { cpu: '100m', memory: '128Mi' },
          limits: { memory: '256Mi' },
          extra: [
            'env: [{name: MODE, value: ' + name + '}]',
            'volumeMounts: [{name: config, mountPath: /etc/app}, {name: shared, mountPath: /tmp/shared}]',
            'readinessProbe: {httpGet: {path: /ready, port: http}}',
            'livenessProbe: {tcpSocket: {port: http}}',
          ],
        },
      ],
    });
  const manifests =
    source('cart', 8080, 2) +
    service('cart', { app: 'cart' }, [{ port: 80, targetPort: 'http', name: 'web' }]) +
    source('checkout', 9090, 3) +
    workload('currency', {
      replicas: 1,
      podSpec: ['imagePullSecrets: [{name: registry}, {name: other}]'],
      containers: [{ name: 'currency', ports: [{ port: 7000, name: 'grpc' }] }],
    }) +
    service('checkout', { app: 'checkout' }, [{ port: 80, targetPort: 'http', name: 'web' }]) +
    service('currency', { app: 'currency' }, [{ port: 7000, targetPort: 'grpc' }]);
  const { rendered } = render({ 'm.yaml': manifests }, [
    '- name: one',
    '  merge:',
    '    - {name: shop, from: [cart, checkout, currency]}',
  ]);
  const phase = rendered.phases[0];
  const merged = find(phase, 'Deployment', 'shop');

  it('one Deployment named after the merge, holding every container and init container, with their env, probes and resources', () => {
    assert.equal(merged.role, 'created');
    assert.equal(merged.object.apiVersion, 'apps/v1');
    assert.deepEqual(
      containers(merged.object).map((c) => c.image),
      ['example/cart:1', 'example/checkout:1', 'example/currency:1'],
    );
    assert.deepEqual(
      podSpec(merged.object).initContainers.map((c: Obj) => c.image),
      ['example/cart-migrate:1', 'example/checkout-migrate:1'],
    );
    const checkout = containers(merged.object)[1];
    assert.deepEqual(checkout.env, [{ name: 'MODE', value: 'checkout' }]);
    assert.deepEqual(checkout.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    assert.equal(checkout.readinessProbe.httpGet.path, '/ready');
  });

  it('colliding container names are made unique', () => {
    const names = [...containers(merged.object), ...podSpec(merged.object).initContainers].map((c: Obj) => c.name);
    assert.equal(new Set(names).size, names.length, `unique names: ${names.join(', ')}`);
    assert.equal(containers(merged.object)[0].name, 'app', 'the first source keeps its names');
    assert.notEqual(containers(merged.object)[1].name, 'app');
  });

  it('colliding volume names are made unique and the volume mounts follow (init containers too)', () => {
    const volumes: Obj[] = podSpec(merged.object).volumes;
    const names = volumes.map((v) => v.name);
    assert.equal(new Set(names).size, names.length, `unique volume names: ${names.join(', ')}`);
    const volumeOf = (container: Obj, mountPath: string) =>
      byName(volumes, container.volumeMounts.find((m: Obj) => m.mountPath === mountPath).name);
    const [cart, checkout] = containers(merged.object);
    const [cartInit, checkoutInit] = podSpec(merged.object).initContainers;
    assert.equal(volumeOf(cart, '/etc/app').configMap.name, 'cart-config');
    assert.equal(volumeOf(checkout, '/etc/app').configMap.name, 'checkout-config');
    assert.equal(volumeOf(cartInit, '/etc/app').configMap.name, 'cart-config');
    assert.equal(volumeOf(checkoutInit, '/etc/app').configMap.name, 'checkout-config');
    // Every mount names a volume of the pod.
    for (const c of [...containers(merged.object), ...podSpec(merged.object).initContainers]) {
      for (const m of c.volumeMounts ?? [])
        assert.ok(names.includes(m.name), `${c.name} mounts ${m.name}, a volume of the pod`);
    }
  });

  it('a renamed port: the named probe ports and the Service targetPort follow it', () => {
    const [cart, checkout] = containers(merged.object);
    assert.equal(cart.ports[0].name, 'http');
    const renamed = checkout.ports[0].name;
    assert.notEqual(renamed, 'http');
    assert.ok(
      renamed.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(renamed),
      `${renamed} is a valid port name`,
    );
    assert.equal(checkout.readinessProbe.httpGet.port, renamed);
    assert.equal(checkout.livenessProbe.tcpSocket.port, renamed);
    assert.equal(cart.readinessProbe.httpGet.port, 'http');
    const checkoutService = find(phase, 'Service', 'checkout').object as Obj;
    assert.equal(checkoutService.spec.ports[0].targetPort, renamed);
    assert.equal(checkoutService.spec.ports[0].port, 80, 'the Service port itself does not change');
    assert.equal((find(phase, 'Service', 'cart').object as Obj).spec.ports[0].targetPort, 'http');
    assert.equal((find(phase, 'Service', 'currency').object as Obj).spec.ports[0].targetPort, 'grpc');
  });

  it('every Service that selected a merged workload is re-emitted under its name, selecting the merged pod', () => {
    const labels = (merged.object.spec as Obj).template.metadata.labels;
    const services = phase.objects.filter((o) => o.object.kind === 'Service');
    assert.deepEqual(services.map((s) => s.object.metadata.name).sort(), ['cart', 'checkout', 'currency']);
    for (const s of services) {
      assert.equal(s.role, 'service');
      const selector = (s.object as Obj).spec.selector;
      assert.ok(Object.keys(selector).length > 0);
      for (const [k, v] of Object.entries(selector))
        assert.equal(labels[k], v, `${s.object.metadata.name} selects ${k}=${v} of the merged pod`);
    }
    // The merged Deployment's selector matches its own template.
    for (const [k, v] of Object.entries((merged.object.spec as Obj).selector.matchLabels)) assert.equal(labels[k], v);
  });

  it('imagePullSecrets are de-duplicated', () => {
    assert.deepEqual(podSpec(merged.object).imagePullSecrets, [{ name: 'registry' }, { name: 'other' }]);
  });

  it('replicas default to the largest of the merged workloads; the plan can set them', () => {
    assert.equal((merged.object.spec as Obj).replicas, 3);
    const { rendered: again } = render({ 'm.yaml': manifests }, [
      '- name: one',
      '  merge:',
      '    - {name: shop, from: [cart, checkout, currency], replicas: 5}',
    ]);
    assert.equal((find(again.phases[0], 'Deployment', 'shop').object.spec as Obj).replicas, 5);
  });

  it('the merged workloads are scaled to 0 with their previous replicas, not deleted', () => {
    for (const [name, replicas] of [
      ['cart', '2'],
      ['checkout', '3'],
      ['currency', '1'],
    ]) {
      const old = find(phase, 'Deployment', name);
      assert.equal(old.role, 'scaled-down');
      assert.equal((old.object.spec as Obj).replicas, 0);
      assert.equal((old.object.metadata.annotations as Obj)['consolidation.dev/previous-replicas'], replicas);
      // The rest of the object is the source's.
      assert.equal(containers(old.object)[0].image, name === 'currency' ? 'example/currency:1' : `example/${name}:1`);
    }
  });

  it('managed-by label on what the phase creates only; plan and phase annotations on everything it renders', () => {
    for (const o of phase.objects) {
      const annotations = o.object.metadata.annotations as Obj;
      assert.equal(annotations['consolidation.dev/plan'], 'test', `${o.object.kind}/${o.object.metadata.name}`);
      assert.equal(annotations['consolidation.dev/phase'], 'one');
      assert.equal(
        (o.object.metadata.labels as Obj | undefined)?.['app.kubernetes.io/managed-by'],
        o.role === 'created' ? 'consolidation-plans' : undefined,
        `${o.role} ${o.object.kind}/${o.object.metadata.name}`,
      );
    }
  });

  it('in apply order: the new workload, then the Services, then the scale-downs; each merge lists its own objects', () => {
    assert.deepEqual(
      phase.objects.map((o) => o.role),
      ['created', 'service', 'service', 'service', 'scaled-down', 'scaled-down', 'scaled-down'],
    );
    assert.equal(phase.merges.length, 1);
    assert.equal(phase.merges[0].merge.name, 'shop');
    assert.equal(phase.merges[0].objects.length, 7);
  });
});

describe('pod merge: more references that follow a rename', () => {
  it('a StatefulSet when every source is one; colliding volumeClaimTemplates are made unique and the mounts follow', () => {
    const sts = (name: string, port: number) =>
      workload(name, {
        kind: 'StatefulSet',
        replicas: 1,
        spec: [
          `serviceName: ${name}`,
          'volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]',
        ],
        containers: [{ name, ports: [{ port }], extra: ['volumeMounts: [{name: data, mountPath: /data}]'] }],
      });
    const { rendered } = render({ 'm.yaml': sts('mongo', 27017) + sts('redis', 6379) }, [
      '- name: one',
      '  merge:',
      '    - {name: stores, from: [mongo, redis]}',
    ]);
    const merged = find(rendered.phases[0], 'StatefulSet', 'stores').object as Obj;
    assert.equal(merged.kind, 'StatefulSet');
    assert.equal(merged.spec.serviceName, 'mongo');
    const claims: string[] = merged.spec.volumeClaimTemplates.map((c: Obj) => c.metadata.name);
    assert.equal(claims.length, 2, 'both claims are kept: each store keeps its own data');
    assert.equal(new Set(claims).size, 2, `claim template names are unique: ${claims.join(', ')}`);
    const [mongo, redis] = merged.spec.template.spec.containers;
    assert.notEqual(mongo.volumeMounts[0].name, redis.volumeMounts[0].name, 'each container mounts its own claim');
    for (const c of [mongo, redis]) assert.ok(claims.includes(c.volumeMounts[0].name));
  });

  it('a later phase resizes a renamed container by the name the rendered pod gives it, and the numbers agree', () => {
    const source = (name: string) =>
      workload(name, { containers: [{ name: 'app', requests: { cpu: '100m', memory: '64Mi' } }] });
    const { ws, rendered } = render({ 'm.yaml': source('a') + source('b') }, [
      '- name: one',
      '  merge:',
      '    - {name: ab, from: [a, b]}',
      '- name: two',
      '  resize: {ab: {containers: {b-app: {requests: {cpu: 1}}}}}',
    ]);
    const names = containers(find(rendered.phases[0], 'Deployment', 'ab').object).map((c) => c.name);
    assert.deepEqual(names, ['app', 'b-app']);
    const resized = containers(find(rendered.phases[1], 'Deployment', 'ab').object);
    assert.equal(byName(resized, 'b-app').resources.requests.cpu, '1');
    assert.deepEqual(
      ws.findings
        .plan(PLAN)
        .filter((f) => f.code === 'plan/unknown-container')
        .map((f) => f.message),
      [],
      'b-app is a container of ab, as rendered',
    );
    assert.equal(
      ws.plan(PLAN)!.analysis.states[2].totals.requests.cpu,
      1100,
      'the report counts the resize the manifests carry',
    );
  });

  it('a Deployment when only some sources are StatefulSets', () => {
    const { rendered } = render({ 'm.yaml': simple('api') + simple('db', { kind: 'StatefulSet' }) }, [
      '- name: one',
      '  merge:',
      '    - {name: app, from: [api, db]}',
    ]);
    assert.equal(find(rendered.phases[0], 'Deployment', 'app').object.kind, 'Deployment');
  });

  it("a renamed container: env resourceFieldRef.containerName follows it (it must not point at the other source's container)", () => {
    const source = (name: string) =>
      workload(name, {
        containers: [
          {
            name: 'app',
            limits: { memory: name === 'a' ? '256Mi' : '1Gi' },
            extra: [
              'env: [{name: MEMORY_LIMIT, valueFrom: {resourceFieldRef: {containerName: app, resource: limits.memory}}}]',
            ],
          },
        ],
      });
    const { rendered } = render({ 'm.yaml': source('a') + source('b') }, [
      '- name: one',
      '  merge:',
      '    - {name: ab, from: [a, b]}',
    ]);
    const [a, b] = containers(find(rendered.phases[0], 'Deployment', 'ab').object);
    assert.equal(a.env[0].valueFrom.resourceFieldRef.containerName, a.name);
    assert.equal(b.env[0].valueFrom.resourceFieldRef.containerName, b.name, `b's container is now ${b.name}`);
  });
});

describe('replace merge', () => {
  const manifests =
    simple('api', { replicas: 2, ports: [{ port: 8080, name: 'http' }] }) +
    service('api', { app: 'api' }, [{ port: 80, targetPort: 'http', name: 'web' }]) +
    simple('admin', { ports: [{ port: 9000 }] }) +
    service('admin', { app: 'admin' }, [{ port: 9000 }, { port: 9100, targetPort: 9000, name: 'metrics' }]);
  const mergeLines = [
    '- name: one',
    '  merge:',
    '    - name: gateway',
    '      from: [api, admin]',
    '      strategy: replace',
    '      ports: {80: 8000, 9000: admin, 9100: 9090}',
    '      container:',
    '        image: example/gateway:2',
    '        command: [gateway, serve]',
    '        args: ["--config", /etc/gateway.yaml, "--verbose"]',
    '        env:',
    '          - {name: LOG_LEVEL, value: debug}',
    '          - name: TOKEN',
    '            valueFrom: {secretKeyRef: {name: gateway, key: token}}',
    '        ports:',
    '          - 8000',
    '          - {containerPort: 8001, name: admin}',
    '          - {containerPort: 9090, name: metrics, protocol: TCP}',
    '        resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 512Mi}}',
  ];
  const { rendered } = render({ 'm.yaml': manifests }, mergeLines);
  const phase = rendered.phases[0];
  const created = find(phase, 'Deployment', 'gateway');

  it('one Deployment with the container the plan gives: image, command, args and env as written, resources', () => {
    assert.equal(created.role, 'created');
    const [c] = containers(created.object);
    assert.equal(containers(created.object).length, 1);
    assert.equal(c.image, 'example/gateway:2');
    assert.deepEqual(c.command, ['gateway', 'serve']);
    assert.deepEqual(c.args, ['--config', '/etc/gateway.yaml', '--verbose']);
    assert.deepEqual(c.env, [
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'gateway', key: 'token' } } },
    ]);
    assert.deepEqual(c.resources, { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } });
    assert.equal((created.object.spec as Obj).replicas, 2, 'replicas: the largest');
  });

  it('its ports as written, names and protocols included', () => {
    const [c] = containers(created.object);
    assert.deepEqual(c.ports, [
      { containerPort: 8000 },
      { containerPort: 8001, name: 'admin' },
      { containerPort: 9090, name: 'metrics', protocol: 'TCP' },
    ]);
  });

  it('the old Services are re-pointed at it with the mapped targetPorts, and every targetPort reaches a container port', () => {
    const api = find(phase, 'Service', 'api').object as Obj;
    const admin = find(phase, 'Service', 'admin').object as Obj;
    const labels = (created.object.spec as Obj).template.metadata.labels;
    for (const s of [api, admin]) for (const [k, v] of Object.entries(s.spec.selector)) assert.equal(labels[k], v);
    assert.deepEqual(
      api.spec.ports.map((p: Obj) => [p.port, p.targetPort]),
      [[80, 8000]],
    );
    assert.deepEqual(
      admin.spec.ports.map((p: Obj) => [p.port, p.targetPort]),
      [
        [9000, 'admin'],
        [9100, 9090],
      ],
    );
    const [c] = containers(created.object);
    for (const s of [api, admin]) {
      for (const p of s.spec.ports) {
        const ok = c.ports.some((cp: Obj) =>
          typeof p.targetPort === 'number' ? cp.containerPort === p.targetPort : cp.name === p.targetPort,
        );
        assert.ok(
          ok,
          `Service ${s.metadata.name} port ${p.port} → ${p.targetPort} reaches a port of the container (${JSON.stringify(c.ports)})`,
        );
      }
    }
  });

  it('the replaced workloads are scaled to 0 with their previous replicas', () => {
    assert.equal(
      (find(phase, 'Deployment', 'api').object.metadata.annotations as Obj)['consolidation.dev/previous-replicas'],
      '2',
    );
    assert.equal(
      (find(phase, 'Deployment', 'admin').object.metadata.annotations as Obj)['consolidation.dev/previous-replicas'],
      '1',
    );
    assert.equal((find(phase, 'Deployment', 'api').object.spec as Obj).replicas, 0);
  });
});

describe('remove, scale, resize and scale-downs', () => {
  const manifests =
    simple('api', { replicas: 3 }) +
    simple('web', { replicas: 2 }) +
    simple('batch', { replicas: 1 }) +
    workload('duo', {
      containers: [
        { name: 'main', requests: { cpu: '100m', memory: '128Mi' } },
        { name: 'sidecar', requests: { cpu: '10m' } },
      ],
    }) +
    simple('untouched', { replicas: 4 }) +
    service('untouched', { app: 'untouched' }, [{ port: 80 }]);

  it('remove scales to 0 with previous-replicas; scale and resize change the originals; nothing else is rendered', () => {
    const { rendered } = render({ 'm.yaml': manifests }, [
      '- name: one',
      '  remove: [batch]',
      '  scale: {web: 5}',
      '  resize:',
      '    api: {requests: {cpu: 250m}, limits: {memory: 1Gi}}',
      '    duo: {containers: {sidecar: {requests: {memory: 32Mi}}}}',
    ]);
    const phase = rendered.phases[0];
    assert.deepEqual(phase.objects.map((o) => `${o.role} ${o.object.kind}/${o.object.metadata.name}`).sort(), [
      'changed Deployment/api',
      'changed Deployment/duo',
      'changed Deployment/web',
      'scaled-down Deployment/batch',
    ]);
    const batch = find(phase, 'Deployment', 'batch').object as Obj;
    assert.equal(batch.spec.replicas, 0);
    assert.equal(batch.metadata.annotations['consolidation.dev/previous-replicas'], '1');
    assert.equal((find(phase, 'Deployment', 'web').object as Obj).spec.replicas, 5);
    assert.equal(
      (find(phase, 'Deployment', 'web').object as Obj).metadata.annotations['consolidation.dev/previous-replicas'],
      undefined,
    );
    const api = find(phase, 'Deployment', 'api').object;
    assert.deepEqual(containers(api)[0].resources, {
      requests: { cpu: '250m', memory: '128Mi' },
      limits: { memory: '1Gi' },
    });
    assert.equal((api.spec as Obj).replicas, 3);
    const duo = containers(find(phase, 'Deployment', 'duo').object);
    assert.deepEqual(duo[0].resources, { requests: { cpu: '100m', memory: '128Mi' } });
    assert.deepEqual(duo[1].resources, { requests: { cpu: '10m', memory: '32Mi' } });
    for (const o of phase.objects)
      assert.equal((o.object.metadata.annotations as Obj)['consolidation.dev/phase'], 'one');
  });

  // Touched twice in one phase: scaled, then merged. The phase's output holds the object once, at replicas 0.
  const scaledThenMerged = () =>
    find(
      render({ 'm.yaml': manifests }, [
        '- name: one',
        '  scale: {api: 5}',
        '  merge:',
        '    - {name: app, from: [api, web]}',
      ]).rendered.phases[0],
      'Deployment',
      'api',
    );

  it('a workload scaled and then merged in one phase: previous-replicas keeps the first value, the one running before the phase', () => {
    const api = scaledThenMerged();
    assert.equal(api.role, 'scaled-down');
    assert.equal((api.object.spec as Obj).replicas, 0);
    assert.equal((api.object.metadata.annotations as Obj)['consolidation.dev/previous-replicas'], '3');
  });

  it('a workload scaled and then merged in one phase: the comment above it says it is replaced, not "scaled to 5"', () => {
    const api = scaledThenMerged();
    assert.doesNotMatch(api.origin, /scaled to 5/, `the comment above a replicas: 0 object: "${api.origin}"`);
    assert.match(api.origin, /replaced by app/);
  });

  it('a workload scaled in one phase and removed in the next: previous-replicas is what the earlier phase left', () => {
    const { rendered } = render({ 'm.yaml': manifests }, [
      '- name: one',
      '  scale: {web: 4}',
      '- name: two',
      '  remove: [web]',
    ]);
    const first = find(rendered.phases[0], 'Deployment', 'web').object as Obj;
    const second = find(rendered.phases[1], 'Deployment', 'web').object as Obj;
    assert.equal(first.spec.replicas, 4);
    assert.equal(first.metadata.annotations['consolidation.dev/previous-replicas'], undefined);
    assert.equal(second.spec.replicas, 0);
    assert.equal(second.metadata.annotations['consolidation.dev/previous-replicas'], '4');
    assert.equal(second.metadata.annotations['consolidation.dev/phase'], 'two');
  });

  it('a later phase does not change an earlier phase output', () => {
    const onePhase = ['- name: one', '  merge:', '    - {name: app, from: [api, web]}'];
    const { rendered: alone } = render({ 'm.yaml': manifests }, onePhase);
    const { rendered: both } = render({ 'm.yaml': manifests }, [
      ...onePhase,
      '- name: two',
      '  scale: {app: 7}',
      '  resize: {app: {containers: {api: {requests: {cpu: 1}}}}}',
      '- name: three',
      '  merge:',
      '    - {name: everything, from: [app, duo]}',
    ]);
    assert.deepEqual(both.phases[0].objects, alone.phases[0].objects);
    assert.deepEqual(both.phases[0].merges, alone.phases[0].merges);
    // The later phases did change the merged workload, in their own output.
    const two = find(both.phases[1], 'Deployment', 'app');
    assert.equal(two.role, 'changed');
    assert.equal((two.object.spec as Obj).replicas, 7);
    assert.equal((find(both.phases[2], 'Deployment', 'app').object.spec as Obj).replicas, 0);
    assert.equal(
      (find(both.phases[2], 'Deployment', 'app').object.metadata.annotations as Obj)[
        'consolidation.dev/previous-replicas'
      ],
      '7',
    );
    assert.equal((find(both.phases[0], 'Deployment', 'app').object.spec as Obj).replicas, 3);
  });
});

describe("another manager's objects", () => {
  // A chart's output: Helm's ownership labels on the objects and (as chart helpers often do) on the pod templates.
  const helm = { 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'shop' };
  const owned = (text: string) =>
    text.replace(
      /^metadata:\n {2}name: (.+)\n/m,
      (_all, name) =>
        `metadata:\n  name: ${name}\n  labels: {app.kubernetes.io/managed-by: Helm, helm.sh/chart: shop-1.0.0}\n  annotations: {meta.helm.sh/release-name: shop, meta.helm.sh/release-namespace: shop}\n`,
    );
  const manifests =
    owned(simple('cart', { labels: helm, ports: [{ port: 8080 }] })) +
    owned(simple('checkout', { labels: helm, ports: [{ port: 9090 }] })) +
    owned(simple('legacy', { labels: helm })) +
    owned(service('cart', { app: 'cart' }, [{ port: 80, targetPort: 8080 }]));
  const { rendered } = render({ 'm.yaml': manifests }, [
    '- name: one',
    '  remove: [legacy]',
    '  merge:',
    '    - {name: shop, from: [cart, checkout]}',
  ]);
  const phase = rendered.phases[0];

  it("a re-pointed Service and the scaled-down originals keep Helm's labels and annotations; ours are only added", () => {
    for (const [kind, name] of [
      ['Service', 'cart'],
      ['Deployment', 'cart'],
      ['Deployment', 'checkout'],
      ['Deployment', 'legacy'],
    ]) {
      const metadata = find(phase, kind, name).object.metadata as Obj;
      assert.deepEqual(
        metadata.labels,
        { 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'shop-1.0.0' },
        `${kind} ${name} labels`,
      );
      assert.equal(metadata.annotations['meta.helm.sh/release-name'], 'shop', `${kind} ${name}`);
      assert.equal(metadata.annotations['meta.helm.sh/release-namespace'], 'shop', `${kind} ${name}`);
      assert.equal(metadata.annotations['consolidation.dev/phase'], 'one');
    }
  });

  it("the merged workload is ours, and so are its pods; it carries none of Helm's release metadata", () => {
    const merged = find(phase, 'Deployment', 'shop').object as Obj;
    assert.equal(merged.metadata.labels['app.kubernetes.io/managed-by'], 'consolidation-plans');
    assert.equal(merged.metadata.annotations['meta.helm.sh/release-name'], undefined);
    assert.equal(merged.spec.template.metadata.labels['app.kubernetes.io/managed-by'], 'consolidation-plans');
    // The other labels every source's pods carried stay (NetworkPolicies select on them).
    assert.equal(merged.spec.template.metadata.labels['app.kubernetes.io/instance'], 'shop');
  });
});

describe('namespaces', () => {
  // Manifests that name no namespace, a plan that says where they live.
  const manifests =
    simple('cart', { ports: [{ port: 8080 }] }) +
    simple('checkout', { ports: [{ port: 9090 }] }) +
    simple('legacy') +
    simple('web', { replicas: 2 }) +
    simple('api') +
    service('cart', { app: 'cart' }, [{ port: 80, targetPort: 8080 }]);

  it('with spec.namespace, every rendered object names it: merged workload, re-pointed Service, scale-downs, scaled and resized originals', () => {
    const { rendered } = render(
      { 'm.yaml': manifests },
      [
        '- name: one',
        '  remove: [legacy]',
        '  scale: {web: 3}',
        '  resize: {api: {requests: {cpu: 50m}}}',
        '  merge:',
        '    - {name: shop, from: [cart, checkout]}',
      ],
      ['namespace: shop'],
    );
    const objects = rendered.phases[0].objects;
    assert.deepEqual(objects.map((o) => `${o.role} ${o.object.kind}/${o.object.metadata.name}`).sort(), [
      'changed Deployment/api',
      'changed Deployment/web',
      'created Deployment/shop',
      'scaled-down Deployment/cart',
      'scaled-down Deployment/checkout',
      'scaled-down Deployment/legacy',
      'service Service/cart',
    ]);
    for (const o of objects)
      assert.equal(o.object.metadata.namespace, 'shop', `${o.object.kind}/${o.object.metadata.name}`);
    // Written after the name, as a manifest would have it.
    assert.deepEqual(Object.keys(find(rendered.phases[0], 'Service', 'cart').object.metadata).slice(0, 2), [
      'name',
      'namespace',
    ]);
  });

  it('a namespace the manifest names wins; without spec.namespace nothing is added (the context decides, for all alike)', () => {
    const { rendered: own } = render(
      { 'm.yaml': simple('web', { namespace: 'edge' }) },
      ['- name: one', '  scale: {web: 3}'],
      ['namespace: shop'],
    );
    assert.equal(own.phases[0].objects[0].object.metadata.namespace, 'edge');
    const { rendered: none } = render({ 'm.yaml': manifests }, [
      '- name: one',
      '  merge:',
      '    - {name: shop, from: [cart, checkout]}',
    ]);
    for (const o of none.phases[0].objects)
      assert.equal(o.object.metadata.namespace, undefined, `${o.object.kind}/${o.object.metadata.name}`);
  });
});

describe('compose sources', () => {
  const compose = [
    'services:',
    '  web_app:',
    '    image: example/web:1',
    '    ports: ["8080:80"]',
    '    environment: {MODE: prod}',
    '    deploy:',
    '      replicas: 2',
    '      resources:',
    '        reservations: {cpus: "0.25", memory: 128M}',
    '        limits: {cpus: "1", memory: 256M}',
    '  api:',
    '    image: example/api:1',
    '    ports: ["9000"]',
    '    mem_limit: 512m',
    '  worker:',
    '    image: example/worker:1',
    '    environment: [QUEUE=jobs]',
    '  other:',
    '    image: example/other:1',
    '',
  ].join('\n');
  const ws = workspaceOf({
    'compose.yaml': compose,
    'test.plan.yaml': planText([
      'sources: [compose.yaml]',
      'namespace: shop',
      'phases:',
      '  - name: one',
      '    merge:',
      '      - {name: app, from: [web_app, api, worker]}',
    ]),
  });
  const phase = ws.render(PLAN)!.phases[0];

  it('merged compose services become Kompose-style Deployments (scaled to 0 here) and Services', () => {
    const web = find(phase, 'Deployment', 'web-app').object as Obj;
    assert.equal(web.metadata.namespace, 'shop');
    assert.deepEqual(web.metadata.labels, { 'io.kompose.service': 'web-app' });
    assert.deepEqual(web.spec.selector, { matchLabels: { 'io.kompose.service': 'web-app' } });
    assert.deepEqual(web.spec.template.metadata.labels, { 'io.kompose.service': 'web-app' });
    assert.equal(web.metadata.annotations['consolidation.dev/previous-replicas'], '2');
    const c = web.spec.template.spec.containers[0];
    assert.equal(c.name, 'web-app');
    assert.equal(c.image, 'example/web:1');
    assert.deepEqual(c.env, [{ name: 'MODE', value: 'prod' }]);
    assert.deepEqual(
      c.ports.map((p: Obj) => p.containerPort),
      [80],
    );
    assert.deepEqual(c.resources, {
      requests: { cpu: '250m', memory: '128Mi' },
      limits: { cpu: '1', memory: '256Mi' },
    });
    // A Service only for services with ports, named after the service, selecting its Kompose label.
    assert.deepEqual(
      phase.objects
        .filter((o) => o.object.kind === 'Service')
        .map((o) => o.object.metadata.name)
        .sort(),
      ['api', 'web-app'],
    );
    assert.ok(
      !phase.objects.some((o) => o.object.metadata.name === 'other'),
      'a compose service the plan does not touch is not rendered',
    );
  });

  it('then merge: one pod with the three containers, the Kompose Services pointing at it', () => {
    const merged = find(phase, 'Deployment', 'app').object as Obj;
    assert.deepEqual(
      merged.spec.template.spec.containers.map((c: Obj) => c.name),
      ['web-app', 'api', 'worker'],
    );
    assert.equal(merged.spec.replicas, 2);
    assert.equal(merged.metadata.namespace, 'shop');
    assert.deepEqual(merged.spec.template.spec.containers[2].env, [{ name: 'QUEUE', value: 'jobs' }]);
    assert.deepEqual(merged.spec.template.spec.containers[1].resources, { limits: { memory: '512Mi' } });
    const labels = merged.spec.template.metadata.labels;
    for (const name of ['web-app', 'api']) {
      const s = find(phase, 'Service', name).object as Obj;
      for (const [k, v] of Object.entries(s.spec.selector))
        assert.equal(labels[k], v, `Service ${name} selects the merged pod`);
      const ports: Obj[] = merged.spec.template.spec.containers.flatMap((c: Obj) => c.ports ?? []);
      for (const p of s.spec.ports)
        assert.ok(
          ports.some((cp) => cp.containerPort === p.targetPort),
          `Service ${name} targetPort ${p.targetPort} is a port of the pod`,
        );
    }
  });
});

describe('compose sources: what the container runs', () => {
  it("a compose service's entrypoint and command become the container's command and args, as Kompose converts them", () => {
    const compose = [
      'services:',
      '  api:',
      '    image: example/api:1',
      '    entrypoint: [/bin/api, --serve]',
      '    command: [--port, "9000"]',
      '  worker:',
      '    image: example/worker:1',
      '    command: [python, -m, worker]',
      '',
    ].join('\n');
    const ws = workspaceOf({
      'compose.yaml': compose,
      'test.plan.yaml': planText([
        'sources: [compose.yaml]',
        'phases:',
        '  - name: one',
        '    merge:',
        '      - {name: app, from: [api, worker]}',
      ]),
    });
    const phase = ws.render(PLAN)!.phases[0];
    const [api, worker] = containers(find(phase, 'Deployment', 'app').object);
    assert.deepEqual(
      [api.command, api.args],
      [
        ['/bin/api', '--serve'],
        ['--port', '9000'],
      ],
    );
    assert.deepEqual([worker.command, worker.args], [undefined, ['python', '-m', 'worker']]);
  });
});

describe('YAML output', () => {
  it('2-space multi-document YAML, kind and metadata first, a comment saying where each object came from', () => {
    const { rendered } = render({ 'm.yaml': simple('api') + simple('web') }, [
      '- name: one',
      '  merge:',
      '    - {name: app, from: [api, web]}',
    ]);
    const text = toYaml(rendered.phases[0].objects);
    const docs = parseAllDocuments(text);
    assert.ok(Array.isArray(docs));
    assert.equal(docs.length, 3);
    for (const doc of docs) assert.deepEqual(doc.errors, []);
    assert.deepEqual(
      docs.map((d) => d.toJS()),
      rendered.phases[0].objects.map((o) => o.object),
    );
    assert.match(
      text,
      /^---\n# pod merge of api, web \(phase one\)\napiVersion: apps\/v1\nkind: Deployment\nmetadata:\n {2}name: app\n/,
    );
    assert.match(text, /\n# Deployment api, replaced by app\napiVersion: apps\/v1\n/);
    // Every indentation is a multiple of 2; keys never reordered alphabetically (spec after metadata).
    for (const line of text.split('\n')) assert.equal(/^ */.exec(line)![0].length % 2, 0, line);
    for (const doc of text.split('---\n').filter(Boolean))
      assert.ok(doc.indexOf('\nmetadata:') < doc.indexOf('\nspec:'));
  });
});

describe('generated files', () => {
  const header = ['Generated by Consolidation Plans from test.plan.yaml.'];

  it('a new file is the header and the generated block', () => {
    const update = updateGeneratedFile(undefined, header, 'a: 1\n');
    assert.deepEqual(update, { ok: true, text: `# ${header[0]}\n${BEGIN}\na: 1\n${END}\n` });
  });

  it("regenerating replaces the block and keeps the user's text around it", () => {
    const first = updateGeneratedFile(undefined, header, 'a: 1\n');
    assert.ok(first.ok);
    const edited = `# my notes, above\n---\nkind: Mine\n${first.text}\n# and below\nextra: kept\n`;
    const update = updateGeneratedFile(edited, header, 'a: 2\nb: 3\n');
    assert.ok(update.ok);
    assert.equal(
      update.text,
      `# my notes, above\n---\nkind: Mine\n# ${header[0]}\n${BEGIN}\na: 2\nb: 3\n${END}\n\n# and below\nextra: kept\n`,
    );
    // Idempotent.
    const again = updateGeneratedFile(update.text, header, 'a: 2\nb: 3\n');
    assert.deepEqual(again, update);
  });

  it('refuses when the markers are gone', () => {
    const update = updateGeneratedFile('# a file the user rewrote\nkind: Mine\n', header, 'a: 1\n');
    assert.equal(update.ok, false);
    const onlyBegin = updateGeneratedFile(`${BEGIN}\na: 1\n`, header, 'a: 2\n');
    assert.equal(onlyBegin.ok, false);
  });

  it('"Generate merged manifests": one file per merge under generated/<phase>/, refused when the user removed the markers', () => {
    const files = {
      'm.yaml': simple('api') + simple('web') + simple('x') + simple('y'),
      'test.plan.yaml': planText([
        'sources: [m.yaml]',
        'phases:',
        '  - name: one',
        '    merge:',
        '      - {name: app, from: [api, web]}',
        '      - {name: xy, from: [x, y]}',
      ]),
    };
    const plans = generatedFiles(workspaceOf(files), PLAN, { directory: 'generated', phase: 'one' });
    assert.deepEqual(
      plans.map((p) => p.file),
      [`${ROOT}/generated/one/app.yaml`, `${ROOT}/generated/one/xy.yaml`],
    );
    const app = plans[0];
    assert.ok(app.update.ok);
    assert.ok(app.update.text.includes(BEGIN) && app.update.text.includes(END));
    const inside = app.update.text.slice(app.update.text.indexOf(BEGIN) + BEGIN.length, app.update.text.indexOf(END));
    const docs = parseAllDocuments(inside);
    assert.ok(Array.isArray(docs));
    assert.deepEqual(
      docs.map((d) => `${d.get('kind')}/${(d.toJS() as Obj).metadata.name}`),
      ['Deployment/app', 'Deployment/api', 'Deployment/web'],
    );

    const existing = `# kept\n${app.update.text}# also kept\n`;
    const again = generatedFiles(workspaceOf({ ...files, 'generated/one/app.yaml': existing }), PLAN, {
      directory: 'generated',
      phase: 'one',
      merge: 'app',
    });
    assert.equal(again.length, 1);
    assert.ok(again[0].update.ok);
    assert.ok(again[0].update.text.startsWith('# kept\n') && again[0].update.text.endsWith('# also kept\n'));
    const gone = generatedFiles(workspaceOf({ ...files, 'generated/one/app.yaml': 'kind: Mine\n' }), PLAN, {
      directory: 'generated',
      phase: 'one',
      merge: 'app',
    });
    assert.equal(gone[0].update.ok, false);
  });
});
