// PodLabelIndex (the Service index of render and manifest/service-selects-nothing) selects exactly the
// workloads selectorMatches selects, in workload order: on the examples' and the shared corpus's real
// manifests, and on the edge cases a label index could get wrong.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readManifestFile } from '../../../server/src/engine/manifests/readManifestFile';
import type { ManifestFile, WorkloadModel } from '../../../server/src/engine/model/manifest';
import { PodLabelIndex } from '../../../server/src/engine/model/podLabelIndex';
import { selectorMatches } from '../../../server/src/engine/model/selector';

const repo = path.resolve(__dirname, '..', '..', '..');
const CORPUS = '/work/shared/corpus';

function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(dir, f))
    .sort();
}

function read(files: string[]): ManifestFile[] {
  return files.map((file) => readManifestFile(file, fs.readFileSync(file, 'utf8'), { maxBytes: 4 * 1024 * 1024 }));
}

/** What the index must give: every Kubernetes workload of the namespace whose pod labels the selector matches. */
function bruteForce(
  workloads: WorkloadModel[],
  selector: Record<string, string> | undefined,
  namespace: string | undefined,
  defaultNamespace: string | undefined,
): WorkloadModel[] {
  const ns = namespace ?? defaultNamespace ?? 'default';
  return workloads.filter(
    (w) =>
      w.origin === 'kubernetes' &&
      (w.namespace ?? defaultNamespace ?? 'default') === ns &&
      selectorMatches(selector, w.podLabels),
  );
}

function checkAll(manifests: ManifestFile[], what: string): number {
  const workloads = manifests.flatMap((m) => m.workloads);
  const services = manifests.flatMap((m) => m.services);
  let selecting = 0;
  for (const defaultNamespace of [undefined, 'shop']) {
    const index = new PodLabelIndex(workloads, defaultNamespace);
    for (const service of services) {
      const expected = bruteForce(workloads, service.selector, service.namespace, defaultNamespace);
      assert.deepEqual(
        index.selected(service.selector, service.namespace).map((w) => w.id),
        expected.map((w) => w.id),
        `${what}: Service ${service.name}`,
      );
      assert.equal(index.selectsAny(service.selector, service.namespace), expected.length > 0);
      if (expected.length > 0) selecting++;
    }
  }
  return selecting;
}

describe('PodLabelIndex', () => {
  it("selects what selectorMatches selects, on the examples' manifests and the shared corpus", () => {
    const dirs = [
      ...fs.readdirSync(path.join(repo, 'examples')).map((name) => path.join(repo, 'examples', name)),
      ...(fs.existsSync(CORPUS) ? fs.readdirSync(CORPUS).map((name) => path.join(CORPUS, name)) : []),
    ].filter((dir) => fs.statSync(dir).isDirectory());
    let selecting = 0;
    for (const dir of dirs) selecting += checkAll(read(yamlFiles(dir)), path.relative(repo, dir));
    assert.ok(selecting > 20, `Services that select something: ${selecting}`);
  });

  it('edge cases: several labels, shared labels, other namespaces, empty and absent selectors, numbers, prototype names', () => {
    const manifest = readManifestFile(
      '/ws/edge.yaml',
      [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a, tier: web, "a=b": c}}\n    spec: {containers: [{name: a, image: a}]}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: other}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a, tier: web}}\n    spec: {containers: [{name: b, image: b}]}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\nspec:\n  selector: {matchLabels: {app: c}}\n  template:\n    metadata: {labels: {app: c, tier: web, version: 1}}\n    spec: {containers: [{name: c, image: c}]}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d, tier: batch}}\n    spec: {containers: [{name: d, image: d}]}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {tier: web}}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: a-batch}\nspec: {selector: {app: a, tier: batch}}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: a-web}\nspec: {selector: {tier: web, app: a}}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: a-other, namespace: other}\nspec: {selector: {app: a}}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: ambiguous}\nspec: {selector: {a: "b=c"}}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: keyed}\nspec: {selector: {"a=b": c}}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: version}\nspec: {selector: {version: "1"}}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: proto}\nspec: {selector: {constructor: x}}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec: {selector: {}}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: none}\nspec: {ports: [{port: 80}]}',
      ].join('\n---\n'),
      { maxBytes: 1024 * 1024 },
    );
    assert.equal(manifest.workloads.length, 4);
    assert.equal(manifest.services.length, 10);
    checkAll([manifest], 'edge.yaml');
    const index = new PodLabelIndex(manifest.workloads, undefined);
    const names = (service: string) =>
      index
        .selected(manifest.services.find((s) => s.name === service)!.selector, undefined)
        .map((w) => w.name)
        .join(',');
    assert.equal(names('web'), 'a,c');
    assert.equal(names('a-web'), 'a');
    assert.equal(names('a-batch'), '');
    assert.equal(names('keyed'), 'a');
    assert.equal(names('ambiguous'), '');
    assert.equal(names('empty'), '');
    assert.equal(names('none'), '');
  });
});
