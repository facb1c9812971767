// manifest/service-selects-nothing looks a Service's pods up by the rarest of its selector's labels: a label
// that every pod carries (here `tier: backend`, written first) gives the same findings as a rare one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnose, flattenParts } from '../../../server/src/engine/workspace/diagnose';
import { workspaceOf } from '../../helpers/memoryHost';

function deployment(name: string): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  selector: {matchLabels: {tier: backend, app: ${name}}}\n  template:\n    metadata: {labels: {tier: backend, app: ${name}}}\n    spec:\n      containers: [{name: c, image: i}]\n`;
}

function service(name: string, app: string, tierFirst: boolean): string {
  const selector = tierFirst ? `{tier: backend, app: ${app}}` : `{app: ${app}, tier: backend}`;
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec:\n  selector: ${selector}\n  ports: [{port: 80}]\n`;
}

test('a Service selecting nothing is found whichever of its labels is common to every pod', () => {
  for (const tierFirst of [true, false]) {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`d${i}.yaml`] = deployment(`app-${i}`);
    files['services.yaml'] = [
      service('hits', 'app-7', tierFirst),
      service('misses', 'app-none', tierFirst),
      service('other-tier', 'app-8', tierFirst).replace('tier: backend', 'tier: frontend'),
    ].join('---\n');
    const workspace = workspaceOf(files);
    const manifests = Object.keys(files).map((f) => `/ws/${f}`);
    const byFile = diagnose(workspace, { plans: [], manifests, orphanScope: 'together' });
    const found = flattenParts(byFile.get('/ws/services.yaml') ?? []).filter(
      (f) => f.code === 'manifest/service-selects-nothing',
    );
    assert.deepEqual(
      found.map((f) => f.message.split(' ')[1]),
      ['misses', 'other-tier'],
      `tier label first: ${tierFirst}`,
    );
  }
});
