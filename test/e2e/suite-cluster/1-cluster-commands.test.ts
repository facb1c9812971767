// The cluster commands in a real VS Code (code-server's extension host), against the test
// Kubernetes API server that test/e2e/run-cluster.ts runs in its own process: Preview Phase opens a
// diff of every object and writes nothing; Apply Phase creates the merged Deployment, re-points the
// Services and scales the old Deployments to 0, and records what it did; Roll Back Phase restores
// all of it and deletes the merged Deployment.
//
// Nothing is stubbed. The commands get the plan and the phase as arguments (what the code lenses
// pass), which skips the quick picks; Apply and Roll Back then ask with a modal dialog, and have no
// argument to skip it, so the test asks the runner's bridge (E2E_CLUSTER_BRIDGE, see
// support/bridge.ts) to read the dialog in the browser and press its button, as a person would.
// The bridge also returns the API server's stored objects, which the assertions check.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parse as parseYaml } from 'yaml';
import { EXTENSION_ID, within } from '../suite/helpers';
import {
  BRIDGE_ENV,
  CLUSTER,
  CONTEXT,
  LATER_PHASE,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MERGED,
  NAMESPACE,
  PHASE,
  PLAN_FILE,
  PLAN_NAME,
  PREVIOUS_REPLICAS,
  RECORD_CONFIGMAP,
  RECORD_FILE,
  REPLACED,
  SERVICES,
  type ClusterSnapshot,
  type DialogSeen,
  type Json,
  type NotificationSeen,
  type RequestSummary,
} from './support/shared';

const PREVIEW = 'consolidation.previewPhase';
const APPLY = 'consolidation.applyPhase';
const ROLLBACK = 'consolidation.rollbackPhase';
/** Apply and Roll Back wait for rollouts: the API server makes them ready after 1.5 s, the product polls every 2 s. */
const ROLLOUT_TIMEOUT_MS = 45_000;

async function bridge<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const base = process.env[BRIDGE_ENV];
  assert.ok(base, `${BRIDGE_ENV} is not set: run this suite with test/e2e/run-cluster.ts`);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`the runner could not ${method} ${path}: ${json.error ?? res.status}`);
  return json;
}

const cluster = () => bridge<ClusterSnapshot>('GET', '/cluster');
const requestsFrom = (from: number) => bridge<RequestSummary[]>('GET', `/requests?from=${from}`);
const isWrite = (r: RequestSummary) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(r.verb);
const describeRequests = (rs: RequestSummary[]) =>
  rs
    .map(
      (r) =>
        `${r.method} ${r.resource ?? ''}${r.subresource ? `/${r.subresource}` : ''}/${r.name ?? ''}${r.dryRun ? ' (dryRun)' : ''} -> ${r.status}`,
    )
    .join('\n');

/**
 * Answers the next modal dialog with `button` (through the bridge), unless the command ends without
 * asking: then it failed or returned early, which the error says.
 */
async function answerDialog(running: Thenable<unknown>, button: string, step: string): Promise<DialogSeen> {
  const dialog = bridge<DialogSeen>('POST', '/dialog', { button, step, timeoutMs: 20_000 });
  dialog.catch(() => undefined); // handled below; no unhandled rejection when the command wins the race
  const first = await Promise.race([dialog.then((seen) => ({ seen })), Promise.resolve(running).then(() => undefined)]);
  if (first) return first.seen;
  // The command ended first: it never asked, or it ended right after the button was pressed (Cancel)
  // and the bridge's answer is on its way.
  try {
    return await within(dialog, 5000, 'the bridge');
  } catch {
    throw new Error(`the command finished without asking for confirmation (no "${button}" dialog)`);
  }
}

function planUri(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no folder is open (the runner opens a copy of test/workspaces/e2e-cluster)');
  return vscode.Uri.joinPath(folder.uri, PLAN_FILE);
}

async function readJson(relative: string): Promise<Json> {
  const uri = vscode.Uri.joinPath(planUri(), '..', ...relative.split('/'));
  return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
}

interface DiffPair {
  original: vscode.Uri;
  modified: vscode.Uri;
  tab: vscode.Tab;
}

/** The preview's diffs: the entries of a multi-diff tab, or text diff tabs, of consolidation-result: documents. */
function previewDiffs(): DiffPair[] {
  const pairs: DiffPair[] = [];
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    const input = tab.input as { textDiffs?: unknown[] } | undefined;
    const diffs =
      input instanceof vscode.TabInputTextDiff
        ? [input]
        : Array.isArray(input?.textDiffs)
          ? (input.textDiffs as vscode.TabInputTextDiff[])
          : [];
    for (const d of diffs)
      if (d.modified?.scheme === 'consolidation-result')
        pairs.push({ original: d.original, modified: d.modified, tab });
  }
  return pairs;
}

/** Resolves once `check` returns a value: now, then on every tab change; rejects after `timeoutMs`. */
function whenTabs<T>(check: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const now = check();
    if (now !== undefined) return resolve(now);
    const subscription = vscode.window.tabGroups.onDidChangeTabs(() => {
      const value = check();
      if (value === undefined) return;
      cleanup();
      resolve(value);
    });
    const timer = setTimeout(() => {
      cleanup();
      const tabs = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .map((t) => `${t.label} (${t.input?.constructor?.name ?? typeof t.input})`);
      reject(
        new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; tabs: ${tabs.join(', ') || 'none'}`),
      );
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      subscription.dispose();
    }
  });
}

/** Resolves with a visible editor for which `predicate` holds (now or on a change of the visible editors). */
function whenEditor(
  predicate: (e: vscode.TextEditor) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<vscode.TextEditor> {
  return new Promise((resolve, reject) => {
    const find = () => vscode.window.visibleTextEditors.find(predicate);
    const now = find();
    if (now) return resolve(now);
    const subscription = vscode.window.onDidChangeVisibleTextEditors(() => {
      const editor = find();
      if (!editor) return;
      cleanup();
      resolve(editor);
    });
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `timed out after ${timeoutMs / 1000} s waiting for ${what}; visible editors: ${vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()).join(', ')}`,
        ),
      );
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      subscription.dispose();
    }
  });
}

async function docText(uri: vscode.Uri): Promise<string> {
  return (await vscode.workspace.openTextDocument(uri)).getText();
}

const previewId = (uri: vscode.Uri) => uri.query;
const objectPath = (kind: string, name: string) => `/${NAMESPACE}/${kind}/${name}.yaml`;

describe('cluster commands against the test Kubernetes API server', function () {
  this.timeout(90_000);
  let seenPreviews = new Set<string>();

  before(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    const loaded = vscode.extensions.all
      .filter((e) => !e.id.startsWith('vscode.'))
      .map((e) => `${e.id} (${e.extensionUri.toString()})`);
    assert.ok(
      extension,
      `extension ${EXTENSION_ID} is not loaded; loaded: ${loaded.join(', ') || 'none besides built-ins'}`,
    );
    await within(extension.activate(), 30_000, 'activating the extension');
    assert.equal(
      vscode.workspace.isTrusted,
      true,
      'premise: the runner starts code-server with workspace trust disabled',
    );
    const setting = vscode.workspace.getConfiguration('consolidation').get<string>('kubeconfig');
    assert.ok(setting, 'premise: the runner sets consolidation.kubeconfig in the workspace settings');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(planUri()));
    const state = await cluster();
    assert.equal(state.deployments[MERGED], undefined, `premise: no Deployment ${MERGED} before the tests`);
  });

  it('the plan shows Preview · Apply · Roll Back code lenses above each phase, with the plan and the phase as arguments', async () => {
    const uri = planUri();
    const lenses = await within(
      vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100),
      20_000,
      'the code lenses of the plan',
    );
    const clusterLenses = (lenses ?? []).filter((l) => [PREVIEW, APPLY, ROLLBACK].includes(l.command?.command ?? ''));
    const shown = clusterLenses
      .map(
        (l) =>
          `${l.range.start.line + 1}: ${l.command?.title} ${l.command?.command} ${JSON.stringify(l.command?.arguments?.slice(1))}`,
      )
      .join('\n');
    const text = (await vscode.workspace.openTextDocument(uri)).getText().split('\n');
    for (const phase of [PHASE, LATER_PHASE]) {
      const line = text.findIndex((l) => l.includes(`- name: ${phase}`));
      assert.ok(line >= 0, `the plan has no phase ${phase}`);
      const here = clusterLenses.filter((l) => l.range.start.line === line);
      assert.deepEqual(
        here.map((l) => l.command?.command),
        [PREVIEW, APPLY, ROLLBACK],
        `the lenses above phase ${phase} (line ${line + 1}); all cluster lenses:\n${shown}`,
      );
      assert.deepEqual(
        here.map((l) => l.command?.title.replace(/\$\([\w-]+\)\s*/, '')),
        ['Preview', 'Apply', 'Roll Back'],
      );
      for (const l of here) {
        const [planArg, phaseArg] = l.command?.arguments ?? [];
        assert.equal(String(planArg), uri.toString(), `${l.command?.command}: plan argument`);
        assert.equal(phaseArg, phase, `${l.command?.command}: phase argument`);
      }
    }
  });

  it('Preview Phase opens a diff editor of every object (live ↔ dry-run result) and persists nothing', async () => {
    const before = await cluster();
    await within(
      vscode.commands.executeCommand(PREVIEW, planUri(), PHASE),
      30_000,
      'Preview Phase (the command did not finish)',
    );
    const pairs = await whenTabs(() => {
      const p = previewDiffs();
      return p.length ? p : undefined;
    }, 'a diff tab of consolidation-result: documents');
    const tab = pairs[0]!.tab;
    assert.ok(
      (tab.input as { textDiffs?: unknown }).textDiffs !== undefined || tab.input instanceof vscode.TabInputTextDiff,
      `the preview tab is a multi-diff or a text diff tab (it is ${tab.input?.constructor?.name})`,
    );
    assert.match(tab.label, new RegExp(`${PHASE}`), `the diff tab's title names the phase: "${tab.label}"`);
    seenPreviews = new Set(pairs.map((p) => previewId(p.modified)));
    const paths = pairs.map((p) => p.modified.path);
    const expected = [
      ...SERVICES.map((s) => objectPath('Service', s)),
      ...Object.keys(REPLACED).map((d) => objectPath('Deployment', d)),
      objectPath('Deployment', MERGED),
    ];
    assert.deepEqual([...paths].sort(), [...expected].sort(), 'one diff per object the phase touches');
    assert.equal(
      paths[paths.length - 1],
      objectPath('Deployment', MERGED),
      'the created Deployment (all additions) comes last',
    );

    const pair = (kind: string, name: string) => pairs.find((p) => p.modified.path === objectPath(kind, name))!;
    const cartService = pair('Service', 'cart');
    const live = parseYaml(await docText(cartService.original)) as Json;
    const result = parseYaml(await docText(cartService.modified)) as Json;
    assert.deepEqual(live.spec.selector, { 'app.kubernetes.io/name': 'cart' }, 'live side: the Service as it is');
    assert.deepEqual(
      result.spec.selector,
      { 'consolidation.dev/merge': MERGED },
      'result side: re-pointed at the merged pods',
    );
    assert.equal(live.metadata.managedFields, undefined, 'managedFields are left out of the diff');
    const cartDeployment = parseYaml(await docText(pair('Deployment', 'cart').modified)) as Json;
    assert.equal(cartDeployment.spec.replicas, 0);
    assert.equal(cartDeployment.metadata.annotations?.[PREVIOUS_REPLICAS], String(REPLACED.cart));
    const merged = pair('Deployment', MERGED);
    assert.equal(await docText(merged.original), '', 'a created object is diffed against an empty document');
    const mergedResult = parseYaml(await docText(merged.modified)) as Json;
    assert.equal(mergedResult.metadata.labels?.[MANAGED_BY_LABEL], MANAGED_BY);
    assert.equal(mergedResult.spec.replicas, 2);

    const requests = await requestsFrom(before.requestCount);
    const writes = requests.filter(isWrite);
    assert.ok(writes.length >= 5, `the preview sent a dry-run write per object:\n${describeRequests(requests)}`);
    assert.deepEqual(
      writes.filter((w) => !w.dryRun),
      [],
      `the preview wrote for real:\n${describeRequests(writes)}`,
    );
    const after = await cluster();
    assert.deepEqual(after.now, before.now, 'the objects did not change');
    assert.equal(after.deployments[MERGED], undefined);
    assert.deepEqual(Object.keys(after.configMaps), [], 'no record ConfigMap');
  });

  it('Apply Phase, Cancel in the confirmation: nothing is written and no record is made', async () => {
    const before = await cluster();
    const running = vscode.commands.executeCommand(APPLY, planUri(), PHASE);
    const dialog = await answerDialog(running, 'Cancel', 'apply-cancelled');
    assert.equal(dialog.message, `Apply phase "${PHASE}" of plan "${PLAN_NAME}" to ${CONTEXT}?`);
    await within(running, 10_000, 'Apply Phase to return after Cancel');
    const writes = (await requestsFrom(before.requestCount)).filter((r) => isWrite(r) && !r.dryRun);
    assert.deepEqual(writes, [], `Apply wrote after Cancel:\n${describeRequests(writes)}`);
    const after = await cluster();
    assert.deepEqual(after.now, before.now);
    await assert.rejects(
      Promise.resolve(readJson(RECORD_FILE)),
      /FileNotFound|ENOENT|not found/i,
      'no record file after Cancel',
    );
  });

  it('Apply Phase: the confirmation names the context, cluster and namespace; then it creates, re-points, scales down, and records', async () => {
    const before = await cluster();
    const running = vscode.commands.executeCommand(APPLY, planUri(), PHASE);
    const dialog = await answerDialog(running, 'Apply', 'apply-confirmation');
    assert.equal(dialog.message, `Apply phase "${PHASE}" of plan "${PLAN_NAME}" to ${CONTEXT}?`);
    for (const line of [
      `Context: ${CONTEXT}`,
      `Cluster: ${CLUSTER} (${before.server})`,
      `Namespace: ${NAMESPACE}`,
      `• create Deployment ${MERGED}`,
      ...SERVICES.map((s) => `• re-point Service ${s}`),
      ...Object.keys(REPLACED).map((d) => `• scale Deployment ${d} to 0`),
      'Old workloads are scaled down only after the new ones are ready.',
    ]) {
      assert.ok(dialog.detail.includes(line), `the confirmation's detail has "${line}":\n${dialog.detail}`);
    }
    assert.deepEqual(
      [...dialog.buttons].sort(),
      ['Apply', 'Cancel'],
      `the dialog's buttons: ${dialog.buttons.join(', ')}`,
    );

    // The summary: an information message with Show Summary, which opens the summary beside.
    const toast = await bridge<NotificationSeen>('POST', '/notification', {
      contains: `Applied phase ${PHASE}`,
      button: 'Show Summary',
      step: 'applied',
      timeoutMs: ROLLOUT_TIMEOUT_MS,
    });
    assert.ok(
      toast.text.includes(`Applied phase ${PHASE} of plan ${PLAN_NAME} to context ${CONTEXT} (cluster ${CLUSTER}).`),
      `the notification: ${toast.text}`,
    );
    const summary = await whenEditor(
      (e) => e.document.getText().startsWith(`# Applied phase ${PHASE}`),
      'the summary document',
    );
    const summaryText = summary.document.getText();
    for (const part of [
      '## Changes',
      '## Done',
      `Created Deployment ${NAMESPACE}/${MERGED}`,
      `Record: ${RECORD_FILE} and ConfigMap ${NAMESPACE}/${RECORD_CONFIGMAP}`,
    ]) {
      assert.ok(summaryText.includes(part), `the summary has "${part}":\n${summaryText}`);
    }
    await within(running, 10_000, 'the Apply command to finish after the summary');

    const state = await cluster();
    const merged = state.deployments[MERGED];
    assert.ok(merged, `Deployment ${MERGED} exists`);
    assert.equal(merged.metadata.labels?.[MANAGED_BY_LABEL], MANAGED_BY);
    assert.equal(merged.metadata.annotations?.['consolidation.dev/phase'], PHASE);
    assert.equal(merged.spec.replicas, 2);
    assert.equal(merged.status?.availableReplicas, 2, 'it rolled out');
    const managers = (merged.metadata.managedFields as Json[])
      .filter((m) => m.manager !== 'kube-controller-manager')
      .map((m) => `${m.manager}/${m.operation}`);
    assert.deepEqual(
      managers,
      [`${MANAGED_BY}/Apply`],
      'created by server-side apply under the consolidation-plans field manager',
    );
    const podLabels = merged.spec.template.metadata.labels as Record<string, string>;
    const portNames = (merged.spec.template.spec.containers as Json[]).flatMap((c) =>
      (c.ports ?? []).map((p: Json) => p.name),
    );
    for (const [name, replicas] of Object.entries(REPLACED)) {
      const d = state.deployments[name];
      assert.equal(d.spec.replicas, 0, `Deployment ${name} is scaled to 0`);
      assert.equal(
        d.metadata.annotations?.[PREVIOUS_REPLICAS],
        String(replicas),
        `Deployment ${name} records its previous replicas`,
      );
    }
    for (const name of SERVICES) {
      const selector = state.services[name].spec.selector as Record<string, string>;
      assert.notDeepEqual(selector, before.services[name].spec.selector, `Service ${name} was re-pointed`);
      for (const [k, v] of Object.entries(selector))
        assert.equal(
          podLabels[k],
          v,
          `Service ${name}'s selector ${k}=${v} selects the merged pods (labels ${JSON.stringify(podLabels)})`,
        );
      for (const port of state.services[name].spec.ports as Json[]) {
        assert.ok(
          portNames.includes(port.targetPort),
          `Service ${name}'s targetPort ${port.targetPort} is a port of the merged pod (${portNames.join(', ')})`,
        );
      }
      assert.equal(
        state.services[name].metadata.labels?.[MANAGED_BY_LABEL],
        undefined,
        `Service ${name} does not get the managed-by label (Helm's object)`,
      );
    }
    // Order: the Services are re-pointed and the old Deployments scaled down only after the new one was created.
    const writes = (await requestsFrom(before.requestCount)).filter(
      (r) => isWrite(r) && !r.dryRun && r.resource !== 'configmaps',
    );
    const created = writes.findIndex((w) => w.name === MERGED);
    const repointed = writes.findIndex((w) => w.resource === 'services');
    const scaled = writes.findIndex((w) => w.subresource === 'scale');
    assert.ok(
      created >= 0 && created < repointed && repointed < scaled,
      `order of the writes:\n${describeRequests(writes)}`,
    );

    const record = await readJson(RECORD_FILE);
    assert.equal(record.kind, 'ApplyRecord');
    assert.equal(record.status, 'applied');
    assert.equal(record.phase, PHASE);
    assert.equal(record.context, CONTEXT);
    assert.equal(record.server, before.server);
    const recorded = (kind: string, name: string) =>
      (record.objects as Json[]).find((o) => o.ref.kind === kind && o.ref.name === name);
    assert.equal(recorded('Deployment', MERGED)?.existed, false);
    assert.equal(
      recorded('Deployment', MERGED)?.uid,
      merged.metadata.uid,
      'the record holds the uid of the created Deployment',
    );
    assert.equal(recorded('Deployment', 'cart')?.replicas, REPLACED.cart);
    assert.deepEqual(recorded('Service', 'cart')?.selector, { 'app.kubernetes.io/name': 'cart' });
    const configMap = state.configMaps[RECORD_CONFIGMAP];
    assert.ok(configMap, `ConfigMap ${RECORD_CONFIGMAP} exists (names: ${Object.keys(state.configMaps).join(', ')})`);
    assert.equal(JSON.parse(configMap.data['record.json']).status, 'applied');
  });

  it('Preview Phase after Apply: every object is already as planned (both sides of each diff are equal)', async () => {
    const before = await cluster();
    await within(vscode.commands.executeCommand(PREVIEW, planUri(), PHASE), 30_000, 'Preview Phase');
    const pairs = await whenTabs(() => {
      const fresh = previewDiffs().filter((p) => !seenPreviews.has(previewId(p.modified)));
      return fresh.length ? fresh : undefined;
    }, 'the diff tab of a second preview');
    assert.equal(pairs.length, 5, `one diff per object: ${pairs.map((p) => p.modified.path).join(', ')}`);
    const differing: string[] = [];
    for (const p of pairs) {
      const [live, result] = [await docText(p.original), await docText(p.modified)];
      if (live !== result) differing.push(`${p.modified.path}:\n--- live\n${live}\n--- result\n${result}`);
    }
    assert.deepEqual(differing, [], 'objects that the preview shows as changed after the phase was applied');
    const writes = (await requestsFrom(before.requestCount)).filter(isWrite);
    assert.deepEqual(
      writes.filter((w) => !w.dryRun),
      [],
      `the preview wrote for real:\n${describeRequests(writes)}`,
    );
  });

  it('Roll Back Phase: the confirmation lists what it restores and deletes; then the seeded state is back and the merged Deployment is gone', async () => {
    const before = await cluster();
    const running = vscode.commands.executeCommand(ROLLBACK, planUri(), PHASE);
    const dialog = await answerDialog(running, 'Roll Back', 'rollback-confirmation');
    assert.equal(dialog.message, `Roll back phase "${PHASE}" of plan "${PLAN_NAME}" on ${CONTEXT}?`);
    for (const line of [
      `Context: ${CONTEXT}`,
      `Cluster: ${CLUSTER} (${before.server})`,
      `Namespace: ${NAMESPACE}`,
      'status: applied',
      ...Object.keys(REPLACED).map((d) => `• restore Deployment ${d}`),
      ...SERVICES.map((s) => `• restore Service ${s}`),
      `• delete Deployment ${MERGED} (created by the apply)`,
      'Nothing is deleted except what this tool created.',
    ]) {
      assert.ok(dialog.detail.includes(line), `the confirmation's detail has "${line}":\n${dialog.detail}`);
    }
    assert.deepEqual([...dialog.buttons].sort(), ['Cancel', 'Roll Back']);
    await within(running, ROLLOUT_TIMEOUT_MS, 'Roll Back Phase to finish');
    const toast = await bridge<NotificationSeen>('POST', '/notification', {
      contains: `Rolled back phase ${PHASE}`,
      step: 'rolled-back',
    });
    assert.ok(
      toast.text.includes(
        `Rolled back phase ${PHASE} of plan ${PLAN_NAME} on context ${CONTEXT} (cluster ${CLUSTER}).`,
      ),
      toast.text,
    );

    const state = await cluster();
    assert.equal(state.deployments[MERGED], undefined, `Deployment ${MERGED} is deleted`);
    for (const [name, replicas] of Object.entries(REPLACED)) {
      assert.equal(state.deployments[name].spec.replicas, replicas, `Deployment ${name} has its replicas back`);
      assert.equal(
        state.deployments[name].metadata.annotations?.[PREVIOUS_REPLICAS],
        undefined,
        `Deployment ${name}: ${PREVIOUS_REPLICAS} removed`,
      );
    }
    for (const name of SERVICES)
      assert.deepEqual(
        state.services[name].spec.selector,
        { 'app.kubernetes.io/name': name },
        `Service ${name}'s selector`,
      );
    assert.deepEqual(
      state.now,
      state.seeded,
      'labels, annotations and spec of every Deployment and Service are as seeded',
    );
    const deletes = (await requestsFrom(before.requestCount)).filter((r) => r.verb === 'delete');
    assert.deepEqual(
      deletes.map((d) => `${d.resource}/${d.name}`),
      [`deployments/${MERGED}`],
      'only the merged Deployment is deleted',
    );
    assert.equal((await readJson(RECORD_FILE)).status, 'rolled-back');
    assert.equal(
      JSON.parse(state.configMaps[RECORD_CONFIGMAP].data['record.json']).status,
      'rolled-back',
      'the record ConfigMap is kept, marked rolled-back',
    );
  });
});
