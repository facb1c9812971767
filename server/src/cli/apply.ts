import * as path from 'node:path';
import * as readline from 'node:readline';
import { parseArgs } from 'node:util';
import { applyPhase, laterRecordStores, namespacesOf, recordStoreFor, type ApplyEvent } from '../cluster/applyPhase';
import { describeRef } from '../cluster/clusterApi';
import { parseDuration } from '../cluster/duration';
import { ClusterError, redact } from '../cluster/errors';
import { connect, type ConnectOptions, type KubeClusterApi } from '../cluster/kubeClusterApi';
import { loadPhase, PlanError, type LoadedPhase } from '../cluster/phasePlan';
import { SOURCE_OPTIONS, sourceOptions } from './sourceOptions';
import { previewPhase, unifiedDiff } from '../cluster/preview';
import { rollbackPhase } from '../cluster/rollback';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../engine/workspace/fileHost';
import { UsageError } from './usageError';
import { useTools } from './tools';
import { roleAction } from '../engine/render/roleText';

export interface ClusterCliIo {
  cwd: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Where a confirmation is read from; without a terminal nothing is asked. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  /** Cancels the run (the CLI aborts it on Ctrl-C). */
  signal?: AbortSignal;
  /** Tests: faster polling and retries. */
  pollIntervalMs?: number;
  connect?: Partial<ConnectOptions>;
}

const COMMON = {
  phase: { type: 'string' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  timeout: { type: 'string' },
  yes: { type: 'boolean', short: 'y', default: false },
  ...SOURCE_OPTIONS,
} as const;

interface Parsed {
  planPath: string;
  phase: string;
  context?: string;
  kubeconfig?: string;
  timeoutMs?: number;
  yes: boolean;
  dryRun: boolean;
  forceOrder: boolean;
  sources: ReturnType<typeof sourceOptions>;
}

function parse(command: 'apply' | 'rollback', args: string[], cwd: string): Parsed {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options:
      command === 'apply'
        ? {
            ...COMMON,
            'dry-run': { type: 'boolean', default: false },
            'force-order': { type: 'boolean', default: false },
          }
        : COMMON,
  });
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one plan file`);
  const timeout = values.timeout as string | undefined;
  const timeoutMs = timeout === undefined ? undefined : parseDuration(timeout);
  if (timeout !== undefined && (timeoutMs === undefined || timeoutMs <= 0))
    throw new UsageError(`--timeout takes a duration such as 10m, 90s or 1h30m, not "${timeout}"`);
  const planPath = path.resolve(cwd, positionals[0]);
  if (!values.phase) {
    let phases = '';
    try {
      loadPhase(planPath, undefined);
    } catch (error) {
      phases = /\(phases: ([^)]*)\)/.exec((error as Error).message)?.[1] ?? '';
    }
    throw new UsageError(`${command} needs --phase NAME${phases ? ` (phases: ${phases})` : ''}`);
  }
  return {
    planPath,
    phase: values.phase as string,
    context: values.context as string | undefined,
    kubeconfig: values.kubeconfig as string | undefined,
    timeoutMs,
    yes: values.yes as boolean,
    dryRun: !!(values as Record<string, unknown>)['dry-run'],
    forceOrder: !!(values as Record<string, unknown>)['force-order'],
    sources: sourceOptions(values, cwd),
  };
}

function load(parsed: Parsed, workspace?: ConsolidationWorkspace): LoadedPhase {
  try {
    return loadPhase(parsed.planPath, parsed.phase, { workspace, sources: parsed.sources });
  } catch (error) {
    if (error instanceof PlanError) throw new UsageError(error.message);
    throw error;
  }
}

/** One question on the terminal; the answer, or '' at end of input. */
function ask(io: ClusterCliIo, question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: io.stdin!, output: io.err, terminal: false });
    let answered = false;
    io.err.write(question);
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line.trim());
    });
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

async function confirm(io: ClusterCliIo, question: string): Promise<boolean> {
  return /^y(es)?$/i.test(await ask(io, `${question} [y/N] `));
}

async function connectFor(parsed: Parsed, io: ClusterCliIo): Promise<KubeClusterApi> {
  return connect({
    kubeconfig: parsed.kubeconfig,
    context: parsed.context,
    env: io.env ?? process.env,
    onRetry: (message) => io.err.write(`consolidate: ${message}\n`),
    ...io.connect,
  });
}

/** Ctrl-C cancels the run (once); a second Ctrl-C ends the process. */
function interruptible(io: ClusterCliIo): { signal: AbortSignal; dispose: () => void } {
  if (io.signal) return { signal: io.signal, dispose: () => {} };
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    io.err.write('\nconsolidate: cancelling (Ctrl-C again to quit at once)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

function progress(io: ClusterCliIo): (event: ApplyEvent) => void {
  let lastWaiting = '';
  return (event) => {
    if (event.type === 'waiting') {
      if (event.message === lastWaiting) return;
      lastWaiting = event.message;
    }
    if (event.type === 'done') return;
    io.err.write(`consolidate: ${event.type === 'warning' ? 'warning: ' : ''}${event.message}\n`);
  };
}

/** The plan as the user would type it again: relative to the current folder when inside it. */
function planArgument(io: ClusterCliIo, planFile: string): string {
  const relative = path.relative(io.cwd, planFile);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : planFile;
}

function target(api: KubeClusterApi): string {
  return `context ${api.target.context} (cluster ${api.target.cluster}, ${api.target.server})`;
}

function list(title: string, items: string[]): string {
  return items.length ? `${title}\n${items.map((i) => `  - ${i}`).join('\n')}\n` : '';
}

function failure(io: ClusterCliIo, error: unknown): number {
  if (error instanceof ClusterError) {
    io.err.write(`consolidate: ${redact(error.fullMessage)}\n`);
    return 1;
  }
  throw error;
}

/** Why apply refuses the phase: the errors that make it wrong (budget findings never do). */
export function blockedMessage(loaded: LoadedPhase): string {
  const n = loaded.errors.length;
  return `phase ${loaded.phaseName} cannot be applied: ${n} error${n === 1 ? '' : 's'} in the plan or the manifests it touches make${n === 1 ? 's' : ''} it wrong; fix ${n === 1 ? 'it' : 'them'} first (consolidate check). Budget findings do not block a phase.\n${loaded.errors.map((e) => `  ${e}`).join('\n')}`;
}

/** The budget before and after the phase, and the errors that do not block it. */
export function budgetText(loaded: LoadedPhase): string {
  const figures = loaded.budget.length
    ? `Budget after phase ${loaded.phaseName} (before → after):\n${loaded.budget.map((l) => `  ${l}\n`).join('')}`
    : '';
  const other = loaded.otherErrors.length
    ? `Not blocking this phase (${loaded.otherErrors.length} error${loaded.otherErrors.length === 1 ? '' : 's'} in budgets, later phases or manifests it does not touch):\n${loaded.otherErrors.map((e) => `  ${e}\n`).join('')}`
    : '';
  return figures + other;
}

/** `consolidate apply PLAN --phase NAME [--dry-run] [--force-order] [--context C] [--kubeconfig F] [--timeout DURATION] [--yes]` */
export async function apply(args: string[], io: ClusterCliIo): Promise<number> {
  const parsed = parse('apply', args, io.cwd);
  // Kustomize and Helm sources are rendered with the tools on PATH, as `consolidate check` does.
  const workspace = new ConsolidationWorkspace(nodeFileHost, { ...DEFAULT_OPTIONS, ...parsed.sources });
  await useTools(workspace, {}, parsed.sources.sourceRoots ?? [io.cwd], [parsed.planPath]);
  const loaded = load(parsed, workspace);
  if (loaded.errors.length) {
    io.err.write(`consolidate: ${blockedMessage(loaded)}\n`);
    return 1;
  }
  // plan/owned-by-controller: Helm, Argo CD or Flux will revert what apply writes (self-heal); said before anything is written.
  for (const warning of loaded.controllerWarnings) io.err.write(`consolidate: warning: ${warning}\n`);
  let api: KubeClusterApi;
  try {
    api = await connectFor(parsed, io);
  } catch (error) {
    return failure(io, error);
  }
  const namespaces = namespacesOf(api, loaded);
  const what = loaded.render.objects.map((o) =>
    roleAction(
      o.role,
      `${o.object.kind} ${o.object.metadata.namespace ?? loaded.namespace ?? api.target.namespace}/${o.object.metadata.name}`,
    ),
  );
  if (!parsed.dryRun && !parsed.yes) {
    if (!io.stdin?.isTTY) {
      io.err.write(
        'consolidate: refusing to change the cluster without a confirmation, and there is no terminal to ask on: pass --yes to confirm (or --dry-run to only check).\n',
      );
      return 2;
    }
    io.err.write(
      `Phase ${loaded.phaseName} of plan ${loaded.planName} will:\n${what.map((w) => `  - ${w}\n`).join('')}${budgetText(loaded)}`,
    );
    if (
      !(await confirm(
        io,
        `Apply it to ${target(api)}, namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')}?`,
      ))
    ) {
      io.err.write('consolidate: not applied (not confirmed).\n');
      return 1;
    }
  }
  const { signal, dispose } = interruptible(io);
  try {
    io.err.write(
      `consolidate: ${parsed.dryRun ? 'dry run of' : 'applying'} phase ${loaded.phaseName} to ${target(api)}\n`,
    );
    if (parsed.yes && !parsed.dryRun) io.err.write(budgetText(loaded));
    const outcome = await applyPhase({
      api,
      loaded,
      dryRun: parsed.dryRun,
      forceOrder: parsed.forceOrder,
      signal,
      timeoutMs: parsed.timeoutMs,
      pollIntervalMs: io.pollIntervalMs,
      onProgress: progress(io),
      onConflict: async (error) => {
        if (!io.stdin?.isTTY) return 'stop';
        io.err.write(`consolidate: ${error.message}\n`);
        const owners = [...new Set(error.conflicts.map((c) => c.manager))].join(', ');
        return (await confirm(
          io,
          `Take over ${error.conflicts.map((c) => c.field).join(', ')} from ${owners} (server-side apply with force)?`,
        ))
          ? 'force'
          : 'stop';
      },
    });
    if (outcome.status === 'dry-run') {
      const preview = await previewPhase(api, loaded, { signal });
      io.out.write(`# Dry run of phase ${loaded.phaseName} on ${target(api)}: nothing was changed.\n`);
      io.out.write(budgetText(loaded).replace(/^/gm, '# ').replace(/^# $/gm, ''));
      for (const entry of preview.entries) {
        io.out.write(`\n# ${entry.summary}\n`);
        io.out.write(
          entry.unchanged
            ? '# (no change)\n'
            : unifiedDiff(entry.liveYaml, entry.resultYaml, {
                before: `${describeRef(entry.ref)} (live)`,
                after: `${describeRef(entry.ref)} (after phase ${loaded.phaseName})`,
              }),
        );
      }
      return 0;
    }
    if (outcome.status === 'applied') {
      io.out.write(`${outcome.message}\n${list('Changes:', outcome.changes)}`);
      if (outcome.warnings.length) io.out.write(list('Warnings:', outcome.warnings));
      io.out.write(
        `Record: ${outcome.recordLocation}\nTo undo: consolidate rollback ${planArgument(io, loaded.planFile)} --phase ${loaded.phaseName}${parsed.context ? ` --context ${parsed.context}` : ''}\n`,
      );
      return 0;
    }
    io.err.write(
      `consolidate: ${redact(outcome.message)}\n${list('Done:', outcome.done)}${list('Not done:', outcome.notDone)}`,
    );
    if (outcome.changed)
      io.err.write(
        `To undo what was done: consolidate rollback ${planArgument(io, loaded.planFile)} --phase ${loaded.phaseName}${parsed.context ? ` --context ${parsed.context}` : ''}\n`,
      );
    return 1;
  } catch (error) {
    return failure(io, error);
  } finally {
    dispose();
  }
}

/** `consolidate rollback PLAN --phase NAME [--context C] [--kubeconfig F] [--timeout DURATION] [--yes]` */
export async function rollback(args: string[], io: ClusterCliIo): Promise<number> {
  const parsed = parse('rollback', args, io.cwd);
  const loaded = load(parsed);
  let api: KubeClusterApi;
  try {
    api = await connectFor(parsed, io);
  } catch (error) {
    return failure(io, error);
  }
  const store = recordStoreFor(api, loaded);
  if (!parsed.yes) {
    if (!io.stdin?.isTTY) {
      io.err.write(
        'consolidate: refusing to change the cluster without a confirmation, and there is no terminal to ask on: pass --yes to confirm.\n',
      );
      return 2;
    }
    const question = `Roll back phase ${loaded.phaseName} of plan ${loaded.planName} on ${target(api)}, namespace${namespacesOf(api, loaded).length === 1 ? '' : 's'} ${namespacesOf(api, loaded).join(', ')}? It restores the recorded state and deletes only what the apply created.`;
    if (!(await confirm(io, question))) {
      io.err.write('consolidate: not rolled back (not confirmed).\n');
      return 1;
    }
  }
  const { signal, dispose } = interruptible(io);
  try {
    const outcome = await rollbackPhase({
      api,
      store,
      later: laterRecordStores(api, loaded),
      signal,
      timeoutMs: parsed.timeoutMs,
      pollIntervalMs: io.pollIntervalMs,
      onProgress: progress(io),
    });
    if (outcome.status === 'rolled-back') {
      io.out.write(
        `${outcome.message}\n${list('Done:', outcome.done)}${list('Not done:', outcome.notDone)}${list('Warnings:', outcome.warnings)}`,
      );
      return outcome.notDone.length ? 1 : 0;
    }
    io.err.write(
      `consolidate: ${redact(outcome.message)}\n${list('Done:', outcome.done)}${list('Not done:', outcome.notDone)}`,
    );
    return 1;
  } catch (error) {
    return failure(io, error);
  } finally {
    dispose();
  }
}
