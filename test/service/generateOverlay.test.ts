// *Generate merged manifests* as a Kustomize overlay, in process: the edit the editor applies holds
// the files `consolidate render --format kustomize-overlay` writes (one function makes both), under
// the generated directory; applied to disk, each phase builds (real `kubectl kustomize`) to exactly
// the objects render gives; nothing the user wrote is overwritten, nothing lands outside the plan's
// folder, and an untrusted workspace renders nothing, so it gets a reason, not an overlay.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { CreateFile, TextDocumentEdit } from 'vscode-languageserver-types';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../server/src/engine/workspace/fileHost';
import { kustomizeOverlayFiles } from '../../server/src/engine/render/kustomizeOverlay';
import { getLanguageService } from '../../server/src/service/languageService';
import { pathToUri, uriToPath } from '../../server/src/service/uris';
import type { GenerateResult } from '../../server/src/protocol/messages';
import { findExecutable, ToolRenderer } from '../../server/src/tools/toolRenderer';
import { deploymentYaml, tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

const temps: TempWorkspace[] = [];
after(() => temps.forEach((t) => t.dispose()));

const PLAN = [
  'apiVersion: consolidation.dev/v1alpha1',
  'kind: ConsolidationPlan',
  'metadata:',
  '  name: shop',
  'spec:',
  '  sources:',
  '    - kustomize: overlays/prod',
  '  namespace: shop',
  '  phases:',
  '    - name: merge-backend',
  '      merge:',
  '        - {name: backend, from: [cart, orders], replicas: 2}',
  '    - name: shrink',
  '      scale: {search: 1}',
  '',
].join('\n');

function shop(): TempWorkspace {
  const resources = '{requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}';
  const service = (name: string) =>
    `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n  selector: {app: ${name}}\n  ports: [{port: 80, targetPort: 8080}]\n`;
  const ws = tempWorkspace({
    files: {
      'base/kustomization.yaml': 'resources: [cart.yaml, orders.yaml, search.yaml]\n',
      'base/cart.yaml':
        deploymentYaml('cart', { namespace: 'shop', replicas: 2, resources }) + '---\n' + service('cart'),
      'base/orders.yaml': deploymentYaml('orders', { namespace: 'shop', replicas: 1, resources }),
      'base/search.yaml': deploymentYaml('search', { namespace: 'shop', replicas: 3, resources }),
      'overlays/prod/kustomization.yaml': 'resources: [../../base]\ncommonLabels: {env: prod}\n',
      'shop.plan.yaml': PLAN,
    },
  });
  temps.push(ws);
  return ws;
}

async function serviceFor(ws: TempWorkspace, trusted = true) {
  const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
  workspace.setSourceRenderer(trusted ? new ToolRenderer() : undefined, () => [ws.dir]);
  const planFile = ws.file('shop.plan.yaml');
  await workspace.renderSourcesOf([planFile]);
  return {
    workspace,
    planFile,
    service: getLanguageService(workspace, () => ({ codeLens: { enabled: true }, generatedDirectory: 'generated' })),
  };
}

/** Applies a workspace edit to disk, as VS Code does (each edit replaces the whole file here). */
function applyToDisk(result: GenerateResult): string[] {
  assert.ok('edit' in result, 'reason' in result ? result.reason : '');
  const written: string[] = [];
  for (const change of result.edit.documentChanges as (CreateFile | TextDocumentEdit)[]) {
    if ('kind' in change) continue;
    const file = uriToPath(change.textDocument.uri)!;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, (change.edits[0] as { newText: string }).newText);
    written.push(file);
  }
  return written;
}

function objectsOf(text: string): { kind: string; metadata: { name: string; namespace?: string } }[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter(Boolean);
}

describe('Generate merged manifests as a Kustomize overlay (in process)', () => {
  it('writes the overlays of every phase up to the chosen one under generated/kustomize-overlay; each builds to exactly what render gives', async () => {
    const kubectl = findExecutable('kubectl');
    assert.ok(kubectl, 'kubectl is not on PATH: this test needs kubectl kustomize');
    const ws = shop();
    const { workspace, planFile, service } = await serviceFor(ws);
    const summary = service.getPlanSummary(planFile);
    assert.deepEqual(summary?.kustomizeSources, ['overlays/prod']);
    const result = service.generate({
      planUri: pathToUri(planFile),
      phase: 'shrink',
      format: 'kustomize-overlay',
      base: 'overlays/prod',
    });
    const written = applyToDisk(result)
      .map((f) => path.relative(ws.dir, f))
      .sort();
    assert.ok(
      written.every((f) => f.startsWith('generated/kustomize-overlay/')),
      written.join(', '),
    );
    assert.ok(written.includes('generated/kustomize-overlay/01-merge-backend/kustomization.yaml'));
    assert.ok(written.includes('generated/kustomize-overlay/02-shrink/kustomization.yaml'));
    assert.equal(
      'open' in result && result.open,
      pathToUri(ws.file('generated/kustomize-overlay/02-shrink/kustomization.yaml')),
    );

    // The very texts render --format kustomize-overlay writes, inside the generated blocks.
    const rendered = workspace.render(planFile)!;
    const outDir = ws.file('generated/kustomize-overlay');
    for (const file of kustomizeOverlayFiles(outDir, rendered.phases, rendered.phases, {
      dir: ws.file('overlays/prod'),
    })) {
      assert.ok(
        fs.readFileSync(path.join(outDir, ...file.segments), 'utf8').includes(file.text.trimEnd()),
        file.segments.join('/'),
      );
    }
    for (const [index, phase] of rendered.phases.entries()) {
      const built = objectsOf(
        execFileSync(kubectl, ['kustomize', path.join(outDir, `0${index + 1}-${phase.phase.name}`)], {
          encoding: 'utf8',
        }),
      );
      assert.ok(phase.objects.length > 0);
      for (const { object } of phase.objects) {
        const match = built.filter(
          (b) =>
            b.kind === object.kind &&
            b.metadata.name === object.metadata.name &&
            b.metadata.namespace === object.metadata.namespace,
        );
        assert.equal(match.length, 1, `${phase.phase.name}: ${object.kind} ${String(object.metadata.name)}`);
        assert.deepEqual(match[0], JSON.parse(JSON.stringify(object)));
      }
    }
  });

  it('regenerates in place, keeps what the user wrote around the block, and refuses a file whose block is gone', async () => {
    const ws = shop();
    const { workspace, planFile, service } = await serviceFor(ws);
    const params = {
      planUri: pathToUri(planFile),
      phase: 'merge-backend',
      format: 'kustomize-overlay' as const,
      base: 'overlays/prod',
    };
    // The editor's file watcher tells the server about every write.
    const write = (file: string, text: string) => (fs.writeFileSync(file, text), workspace.fileChanged(file));
    applyToDisk(service.generate(params)).forEach((f) => workspace.fileChanged(f));
    const kustomization = ws.file('generated/kustomize-overlay/01-merge-backend/kustomization.yaml');
    write(kustomization, '# my note\n' + fs.readFileSync(kustomization, 'utf8'));
    applyToDisk(service.generate(params)).forEach((f) => workspace.fileChanged(f));
    assert.match(fs.readFileSync(kustomization, 'utf8'), /^# my note\n# Generated by/);
    assert.equal(fs.readFileSync(kustomization, 'utf8').match(/# >>> consolidation-plans generated/g)?.length, 1);
    // The user's own file where an overlay file goes: not overwritten.
    write(kustomization, 'resources: [mine.yaml]\n');
    const refused = service.generate(params);
    assert.ok('reason' in refused);
    assert.match(refused.reason, /kustomization\.yaml it has no generated block/);
  });

  it("refuses with the reason: an untrusted workspace, a base that is not one of the plan's sources, a folder that leads outside", async () => {
    const ws = shop();
    const untrusted = await serviceFor(ws, false);
    const params = {
      planUri: pathToUri(untrusted.planFile),
      phase: 'shrink',
      format: 'kustomize-overlay' as const,
      base: 'overlays/prod',
    };
    const refused = untrusted.service.generate(params);
    assert.ok('reason' in refused);
    assert.match(refused.reason, /trusted workspace/);

    const { service } = await serviceFor(ws);
    const elsewhere = service.generate({ ...params, base: '../../etc' });
    assert.ok('reason' in elsewhere);
    assert.match(elsewhere.reason, /no Kustomize source "..\/..\/etc"/);

    const outside = tempWorkspace();
    temps.push(outside);
    fs.symlinkSync(outside.dir, ws.file('generated'));
    const linked = service.generate(params);
    assert.ok('reason' in linked);
    assert.match(linked.reason, /cannot be written/);
    assert.deepEqual(fs.readdirSync(outside.dir), []);
  });
});
