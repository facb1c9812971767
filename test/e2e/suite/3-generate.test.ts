// "Generate merged manifests": the refactor.generate code action on a merge (and on a phase), what
// the file it writes holds, undo, the palette command, and regeneration keeping the user's lines.
// The shared test plan misspells cart-service on purpose (1-diagnostics.test.ts); these tests fix
// the typo in the run's copy first (saved, so disk and editor agree) and put it back at the end.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parseAllDocuments } from 'yaml';
import {
  fileUri,
  isCodeAction,
  openPlan,
  rangeOnLine,
  readIfExists,
  replaceInDocument,
  waitForDiagnostics,
  waitForFile,
  waitForText,
  within,
  withCode,
} from './helpers';

const KIND = 'refactor.generate';
const PHASE = 'merge-backend';
const MERGE = 'backend';
const GENERATED = `generated/${PHASE}/${MERGE}.yaml`;
const MERGE_TITLE = `Generate merged manifests for ${MERGE}`;
const PHASE_TITLE = `Generate merged manifests for phase ${PHASE} (1 merge)`;
const BEGIN = '# >>> consolidation-plans generated';
const END = '# <<< consolidation-plans generated';
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const FILE_TIMEOUT_MS = 20_000;

type K8sObject = { kind?: string; metadata?: { name?: string; labels?: Record<string, string> }; spec?: any };

function k8sObjects(text: string): K8sObject[] {
  const docs = parseAllDocuments(text);
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  assert.equal(errors.length, 0, `${GENERATED} is not valid YAML: ${errors.join('; ')}\n${text}`);
  return docs.map((d) => d.toJS() as K8sObject).filter((o) => o && typeof o === 'object');
}

function describeObjects(objects: K8sObject[]): string {
  return objects.map((o) => `${o.kind} ${o.metadata?.name}`).join(', ') || '(none)';
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** The generate actions at `needle` on the first line matching `lineRe` (resolved when resolveCount > 0). */
async function generateActionsAt(
  doc: vscode.TextDocument,
  lineRe: RegExp,
  needle: string,
  resolveCount = 0,
): Promise<vscode.CodeAction[]> {
  const range = rangeOnLine(doc.getText(), lineRe, needle);
  const all = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>(
    'vscode.executeCodeActionProvider',
    doc.uri,
    range,
    KIND,
    resolveCount,
  );
  return (all ?? []).filter(isCodeAction);
}

/** What the light bulb does with a chosen action: apply its edit (as a refactoring), then run its command. */
async function applyAsLightBulb(action: vscode.CodeAction): Promise<void> {
  assert.ok(!action.disabled, `"${action.title}" is disabled: ${action.disabled?.reason}`);
  assert.ok(action.edit, `"${action.title}" resolved without an edit`);
  // VS Code applies a chosen code action with respectAutoSaveConfig, i.e. as a refactoring
  // (files.refactoring.autoSave, on by default, saves what it touched).
  assert.ok(
    await vscode.workspace.applyEdit(action.edit, { isRefactoring: true }),
    `the edit of "${action.title}" was not applied`,
  );
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
}

/** Tabs showing `uri`, in any group. */
function tabsOf(uri: vscode.Uri): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
}

/** Reverts (no save prompt) and closes every editor of `uri`. */
async function revertAndClose(uri: vscode.Uri): Promise<void> {
  for (const tab of tabsOf(uri)) {
    if (tab.isDirty) {
      await vscode.window.showTextDocument(uri, { viewColumn: tab.group.viewColumn, preview: false });
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  const tabs = tabsOf(uri);
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}

describe('generate merged manifests (shop.plan.yaml, typo fixed)', () => {
  let doc: vscode.TextDocument;
  const generated = () => fileUri(GENERATED);

  /** No generated file, no editor of it: the premise of the tests that create it. */
  async function removeGenerated(): Promise<void> {
    await revertAndClose(generated());
    if ((await readIfExists(generated())) !== undefined) {
      // As the Explorer deletes: through the workbench's working copies, so an editor model of the
      // file goes too (vscode.workspace.fs.delete would leave it open, and the server would still
      // see the file through it).
      const edit = new vscode.WorkspaceEdit();
      edit.deleteFile(generated(), { ignoreIfNotExists: true });
      assert.ok(await vscode.workspace.applyEdit(edit), `could not delete ${GENERATED} (test setup)`);
    }
    await waitForFile(generated(), (t) => t === undefined, 'the generated file to be removed (test setup)');
  }

  /** A freshly generated file (through the light bulb's path), whatever an earlier test left. */
  async function generateFresh(): Promise<string> {
    await removeGenerated();
    const action = (await generateActionsAt(doc, /^\s*- name: backend\b/, MERGE, 1)).find(
      (a) => a.title === MERGE_TITLE,
    );
    assert.ok(action, `"${MERGE_TITLE}" expected (test setup)`);
    await applyAsLightBulb(action);
    return (await waitForFile(
      generated(),
      (t) => !!t && t.includes(END),
      `${GENERATED} (test setup)`,
      FILE_TIMEOUT_MS,
    ))!;
  }

  before(async () => {
    doc = (await openPlan()).doc;
    await waitForDiagnostics(doc.uri, (d) => withCode(d, 'plan/unknown-workload').length > 0, 'plan/unknown-workload');
    await replaceInDocument(doc, 'cart-servce', 'cart-service');
    assert.ok(await doc.save(), 'could not save the plan with the typo fixed');
    await waitForDiagnostics(
      doc.uri,
      (d) => withCode(d, 'plan/unknown-workload').length === 0,
      'plan/unknown-workload to go',
    );
    await removeGenerated();
  });

  after(async () => {
    await revertAndClose(generated());
    await vscode.workspace.fs
      .delete(fileUri('generated'), { recursive: true, useTrash: false })
      .then(undefined, () => undefined);
    const { doc: plan } = await openPlan();
    if (plan.getText().includes('from: [cart-service, checkout')) {
      await replaceInDocument(plan, 'cart-service, checkout', 'cart-servce, checkout');
      await plan.save();
    }
  });

  it(`offers "${MERGE_TITLE}" (kind ${KIND}) on the merge's name and "${PHASE_TITLE}" on the phase's name`, async () => {
    const onMerge = await generateActionsAt(doc, /^\s*- name: backend\b/, MERGE);
    const mergeAction = onMerge.find((a) => a.title === MERGE_TITLE);
    assert.ok(
      mergeAction,
      `"${MERGE_TITLE}" expected on the merge's name; got: ${onMerge.map((a) => a.title).join(' | ') || '(none)'}`,
    );
    assert.equal(mergeAction.kind?.value, KIND, `the kind of "${MERGE_TITLE}"`);
    assert.ok(!mergeAction.disabled, `"${MERGE_TITLE}" is disabled: ${mergeAction.disabled?.reason}`);
    assert.ok(
      !onMerge.some((a) => a.title.startsWith('Generate merged manifests for phase')),
      'the phase action is not offered on a merge',
    );

    // What Ctrl+. asks: the cursor (an empty range) inside the name, no kind filter.
    const name = rangeOnLine(doc.getText(), /^\s*- name: backend\b/, MERGE);
    const cursor = new vscode.Range(name.start.translate(0, 2), name.start.translate(0, 2));
    const atCursor = (
      (await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        cursor,
      )) ?? []
    ).filter(isCodeAction);
    assert.ok(
      atCursor.some((a) => a.title === MERGE_TITLE),
      `"${MERGE_TITLE}" expected at the cursor ${cursor.start.line + 1}:${cursor.start.character + 1} with no kind filter (Ctrl+.); got: ${atCursor.map((a) => `${a.title} [${a.kind?.value}]`).join(' | ') || '(none)'}`,
    );

    const onPhase = await generateActionsAt(doc, /^\s*- name: merge-backend\b/, PHASE);
    const phaseAction = onPhase.find((a) => a.title === PHASE_TITLE);
    assert.ok(
      phaseAction,
      `"${PHASE_TITLE}" expected on the phase's name; got: ${onPhase.map((a) => a.title).join(' | ') || '(none)'}`,
    );
    assert.equal(phaseAction.kind?.value, KIND, `the kind of "${PHASE_TITLE}"`);
  });

  it(`applying it creates ${GENERATED} beside the plan: Deployment ${MERGE} (managed-by consolidation-plans) and the re-pointed Services`, async () => {
    const actions = await generateActionsAt(doc, /^\s*- name: backend\b/, MERGE, 1);
    const action = actions.find((a) => a.title === MERGE_TITLE);
    assert.ok(action, `"${MERGE_TITLE}" expected; got: ${actions.map((a) => a.title).join(' | ') || '(none)'}`);
    assert.ok(action.edit, 'resolving the action (resolveCount 1) gives it a WorkspaceEdit');
    assert.ok(
      action.edit.has(generated()),
      `the edit touches ${GENERATED}; it touches ${action.edit
        .entries()
        .map(([u]) => vscode.workspace.asRelativePath(u))
        .join(', ')}`,
    );
    await applyAsLightBulb(action);

    const text = (await waitForFile(
      generated(),
      (t) => !!t && t.includes(END),
      `${GENERATED} with its generated block`,
      FILE_TIMEOUT_MS,
    ))!;
    assert.equal(count(text, BEGIN), 1, `one generated block (begin marker):\n${text}`);
    const objects = k8sObjects(text);
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === MERGE);
    assert.ok(deployment, `a Deployment named ${MERGE}; the file holds ${describeObjects(objects)}`);
    assert.equal(
      deployment.metadata?.labels?.[MANAGED_BY],
      'consolidation-plans',
      `label ${MANAGED_BY} of Deployment ${MERGE}`,
    );
    const containers: Array<{ name: string }> = deployment.spec?.template?.spec?.containers ?? [];
    assert.deepEqual(containers.map((c) => c.name).sort(), ['cart', 'checkout'], 'the merged pod runs both containers');

    const podLabels: Record<string, string> = deployment.spec?.template?.metadata?.labels ?? {};
    for (const name of ['cart-service', 'checkout-service']) {
      const service = objects.find((o) => o.kind === 'Service' && o.metadata?.name === name);
      assert.ok(service, `Service ${name} (re-pointed); the file holds ${describeObjects(objects)}`);
      const selector: Record<string, string> = service.spec?.selector ?? {};
      assert.ok(Object.keys(selector).length > 0, `Service ${name} has a selector`);
      for (const [key, value] of Object.entries(selector)) {
        assert.equal(
          podLabels[key],
          value,
          `Service ${name}'s selector ${key}=${value} selects the pods of ${MERGE} (pod labels ${JSON.stringify(podLabels)})`,
        );
      }
    }

    // The action's command opened the file; with files.refactoring.autoSave it is saved, not dirty.
    const editor = vscode.window.activeTextEditor;
    assert.equal(
      editor?.document.uri.toString(),
      generated().toString(),
      `the generated file is the active editor (it is ${editor?.document.uri.toString()})`,
    );
    assert.equal(editor.document.isDirty, false, 'the generated file is saved after a refactoring edit');
    assert.equal(editor.document.getText(), text, 'the editor shows what is on disk');
  });

  it('Undo (the "undo" command in the generated file\'s editor) removes the file', async () => {
    const before = await readIfExists(generated());
    assert.ok(before, `premise: ${GENERATED} exists (the previous test creates it)`);
    const editorDoc = openDocument(generated()) ?? (await vscode.workspace.openTextDocument(generated()));
    await vscode.window.showTextDocument(editorDoc, { preview: false, preserveFocus: false });
    await within(vscode.commands.executeCommand('undo'), 15_000, 'the undo command returned');
    await waitForFile(generated(), (t) => t === undefined, `${GENERATED} to be removed by undo`, FILE_TIMEOUT_MS);
  });

  it('"Consolidation: Generate Merged Manifests" with the plan\'s URI creates the file and opens it showing the manifests', async () => {
    await removeGenerated();
    await within(
      vscode.commands.executeCommand('consolidation.generateMergedManifests', doc.uri),
      30_000,
      'consolidation.generateMergedManifests returned',
    );
    const shown = openDocument(generated());
    assert.ok(
      shown,
      `the command opened ${GENERATED} (open: ${vscode.workspace.textDocuments.map((d) => vscode.workspace.asRelativePath(d.uri)).join(', ')})`,
    );
    assert.ok((await readIfExists(generated())) !== undefined, `${GENERATED} exists on disk`);
    const objects = k8sObjects(shown.getText());
    assert.ok(
      objects.some((o) => o.kind === 'Deployment' && o.metadata?.name === MERGE),
      `the editor shows a Deployment named ${MERGE}; it shows ${describeObjects(objects)}`,
    );
    assert.equal(
      vscode.window.activeTextEditor?.document.uri.toString(),
      generated().toString(),
      'the generated file is the active editor',
    );
  });

  it('"Consolidation: Generate Merged Manifests" writes the manifests to disk (saved, as the light bulb\'s code action is)', async () => {
    const described = () => {
      const d = openDocument(generated());
      return d
        ? `its editor is ${d.isDirty ? 'dirty (unsaved)' : 'saved'} and holds ${d.getText().length} characters`
        : 'no editor has it open';
    };
    try {
      const text = await waitForFile(
        generated(),
        (t) => !!t && t.includes(END),
        `${GENERATED} with its generated block on disk`,
        10_000,
      );
      assert.ok(
        k8sObjects(text!).some((o) => o.kind === 'Deployment' && o.metadata?.name === MERGE),
        `a Deployment named ${MERGE} on disk`,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${described()}`, { cause: err });
    }
  });

  it('regenerating keeps the lines written outside the generated markers and rewrites the block', async () => {
    const TOP = '# Reviewed by the platform team (a line of our own above the block)';
    const BOTTOM = '# Keep: our own line below the block';
    await generateFresh();
    const target = await vscode.workspace.openTextDocument(generated());
    await vscode.window.showTextDocument(target, { preview: false });
    assert.ok(
      target.getText().includes('replicas: 2'),
      `premise: the generated block has "replicas: 2":\n${target.getText()}`,
    );
    // Our lines around the block, and a hand edit inside it (which regeneration must undo).
    const edit = new vscode.WorkspaceEdit();
    edit.insert(target.uri, new vscode.Position(0, 0), `${TOP}\n`);
    edit.insert(target.uri, target.positionAt(target.getText().length), `${BOTTOM}\n`);
    const replicas = target.getText().indexOf('replicas: 2');
    edit.replace(
      target.uri,
      new vscode.Range(target.positionAt(replicas), target.positionAt(replicas + 'replicas: 2'.length)),
      'replicas: 7',
    );
    assert.ok(await vscode.workspace.applyEdit(edit), 'our edit of the generated file was applied');
    assert.ok(await target.save(), 'the generated file with our lines was saved');
    await waitForFile(
      generated(),
      (t) => !!t && t.includes(TOP) && t.includes(BOTTOM) && t.includes('replicas: 7'),
      'our lines on disk',
    );

    const [again] = (await generateActionsAt(doc, /^\s*- name: backend\b/, MERGE, 1)).filter(
      (a) => a.title === MERGE_TITLE,
    );
    assert.ok(again, `"${MERGE_TITLE}" is offered again on a file that has our lines`);
    await applyAsLightBulb(again);
    // The file exists, so the edit is a text edit of its editor (single-file edits stay unsaved).
    await waitForText(
      target,
      (t) => !t.includes('replicas: 7'),
      'the editor to show the regenerated block (our "replicas: 7" replaced)',
    );
    const text = target.getText();
    assert.ok(text.startsWith(`${TOP}\n`), `our line above the block is still first:\n${text}`);
    assert.ok(text.trimEnd().endsWith(BOTTOM), `our line below the block is still last:\n${text}`);
    assert.equal(count(text, BEGIN), 1, `still one generated block:\n${text}`);
    assert.equal(count(text, END), 1, `still one end marker:\n${text}`);
    assert.ok(
      text.indexOf(TOP) < text.indexOf(BEGIN) && text.indexOf(END) < text.indexOf(BOTTOM),
      `our lines stay outside the markers:\n${text}`,
    );
    assert.ok(text.includes('replicas: 2'), `the block is generated again ("replicas: 2"):\n${text}`);
    assert.ok(
      k8sObjects(text).some((o) => o.kind === 'Deployment' && o.metadata?.name === MERGE),
      'the block still holds the Deployment',
    );
    if (target.isDirty) assert.ok(await target.save(), 'the regenerated file was saved');
    await waitForFile(generated(), (t) => t === text, 'the regenerated file on disk');
  });

  it('once its markers are removed, generating is refused and the file is left as written', async () => {
    await generateFresh();
    const target = await vscode.workspace.openTextDocument(generated());
    assert.ok(target.getText().includes(BEGIN), `premise: the file has its markers:\n${target.getText()}`);
    await replaceInDocument(target, BEGIN, '# (markers removed by hand)');
    assert.ok(await target.save(), 'the generated file without its begin marker was saved');
    const written = target.getText();
    // The server lists the action disabled (with the reason); vscode.executeCodeActionProvider
    // returns only the applicable ones, so it must not be among them.
    const actions = await generateActionsAt(doc, /^\s*- name: backend\b/, MERGE, 1);
    assert.ok(
      !actions.some((a) => a.title === MERGE_TITLE && !a.disabled),
      `"${MERGE_TITLE}" must not be applicable once the markers are gone; got: ${actions.map((a) => a.title).join(' | ')}`,
    );
    // The palette's path refuses too: nothing is written, the editor is not changed.
    await within(
      vscode.commands.executeCommand('consolidation.generateMergedManifests', doc.uri),
      30_000,
      'consolidation.generateMergedManifests returned',
    );
    assert.equal(target.getText(), written, 'the editor of the file is unchanged');
    assert.equal(target.isDirty, false, 'the editor of the file is not dirty');
    assert.equal(await readIfExists(generated()), written, 'the file on disk is unchanged');
  });
});
