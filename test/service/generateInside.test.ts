// "Generate merged manifests" (the editor's edit, computed by the language service): every file it
// creates is inside the plan's folder, whatever the plan names its phases and merges.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { CreateFile, TextDocumentEdit } from 'vscode-languageserver-types';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../server/src/engine/workspace/fileHost';
import { generateEdit } from '../../server/src/service/generateAction';
import { pathToUri, uriToPath } from '../../server/src/service/uris';
import { deploymentYaml, shopPlanYaml, tempWorkspace, type TempWorkspace } from '../helpers/tempWorkspace';

/** The plan: one phase merging api and worker. */
function plan(phase: string, merge: string): string {
  return shopPlanYaml([
    `- name: ${JSON.stringify(phase)}`,
    '  merge:',
    `    - {name: ${JSON.stringify(merge)}, from: [api, worker]}`,
  ]);
}

describe("Generate merged manifests: files inside the plan's folder", () => {
  let ws: TempWorkspace;
  afterEach(() => ws.dispose());

  const generate = (phase: string, merge: string, directory = 'generated') => {
    ws = tempWorkspace({
      prefix: 'generate-inside-',
      files: {
        'project/manifests/app.yaml': deploymentYaml('api') + '---\n' + deploymentYaml('worker'),
        'project/shop.plan.yaml': plan(phase, merge),
      },
    });
    const planFile = ws.file('project/shop.plan.yaml');
    const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    return {
      planFile,
      result: () => generateEdit(workspace, planFile, { planUri: pathToUri(planFile), phase, merge }, directory),
    };
  };

  const filesOf = (result: ReturnType<typeof generateEdit>) => {
    assert.ok('edit' in result, `an edit, not: ${'reason' in result ? result.reason : ''}`);
    const changes = result.edit.documentChanges as (CreateFile | TextDocumentEdit)[];
    return [...new Set(changes.map((c) => uriToPath('kind' in c ? c.uri : c.textDocument.uri)!))];
  };

  it('a merge named with enough ../ to leave the workspace creates a file under generated/', () => {
    const { planFile, result } = generate('../../../escaped-phase', '../../../../../../../../tmp/escaped');
    const files = filesOf(result());
    assert.equal(files.length, 1);
    const relative = path.relative(path.dirname(planFile), files[0]);
    assert.match(relative, /^generated\/escaped-phase-[0-9a-f]{8}\/tmp-escaped-[0-9a-f]{8}\.yaml$/);
  });

  it('a valid name keeps its file: generated/<phase>/<merge>.yaml', () => {
    const { planFile, result } = generate('merge-apps', 'app');
    assert.deepEqual(
      filesOf(result()).map((f) => path.relative(path.dirname(planFile), f)),
      ['generated/merge-apps/app.yaml'],
    );
  });

  it("refuses, with the reason, when generated/ is a symbolic link that leads outside the plan's folder", () => {
    const { result } = generate('merge-apps', 'app');
    fs.mkdirSync(ws.file('outside'));
    fs.symlinkSync(ws.file('outside'), ws.file('project/generated'));
    const answer = result();
    assert.ok('reason' in answer, 'no edit');
    assert.match(answer.reason, /leads outside .*project through a symbolic link/);
  });

  it("refuses an absolute generated directory outside the plan's folder", () => {
    const { result } = generate('merge-apps', 'app', '/etc/consolidation-generated');
    const answer = result();
    assert.ok('reason' in answer, 'no edit');
    assert.match(answer.reason, /\/etc\/consolidation-generated\/merge-apps\/app\.yaml is outside .*project/);
  });
});
