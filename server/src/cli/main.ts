import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { buildReport, type PlanReport } from '../engine/report/report';
import { renderBudgetChart } from '../engine/report/view/budgetChart';
import { formatReportMarkdown } from '../engine/report/view/markdown';
import { renderStandaloneHtml } from '../engine/report/view/standalone';
import { formatReportText } from '../engine/report/reportText';
import { ALL_RULES, isKnownCode } from '../engine/rules/registry';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../engine/workspace/consolidationWorkspace';
import { DEFAULT_MAX_FILE_SIZE_KB } from '../engine/files/fileSize';
import { diagnose } from '../engine/workspace/diagnose';
import { nodeFileHost } from '../engine/workspace/fileHost';
import { ManifestReaderPool } from '../engine/workspace/manifestReaderPool';
import { PersistentCache } from '../engine/workspace/persistentCache';
import { engineVersion } from '../engine/workspace/engineVersion';
import { RecordingFileHost, ResultCache } from '../engine/workspace/resultCache';
import { parseCheckArgs } from './checkArgs';
import { checkResultKey, printCheck, storedCheck, type CheckResult } from './checkResult';
import { clockWindow, withinWindow } from '../engine/rules/usage/clockWindow';
import { errorSentence } from './errorSentence';
import { discoverInputs } from './discover';
import { UsageError } from './usageError';
import { TOOL_FLAGS, TOOL_USAGE } from './toolFlags';
import { useTools } from './tools';
import { readStdin, STDIN_ARG, stdinFile, stdinPlan } from './stdin';
import { render } from './render';
import { SOURCE_OPTIONS, SOURCE_USAGE, sourceOptions } from './sourceOptions';
import { apply, rollback } from './apply';
import { usage } from './usage';
import { verify } from './verify';
import { positionFindings } from './positionFindings';

declare const CLI_VERSION: string | undefined;
const VERSION = typeof CLI_VERSION === 'string' ? CLI_VERSION : '0.0.0-dev';

const USAGE = `Usage: consolidate <command> [options]

Commands:
  check [PATH...]   Check plans and manifests (files or folders; default: .; - reads YAML from stdin)
      --format text|json|sarif   Output format (default text)
      --rule CODE=SEVERITY       Override a rule's severity (error|warning|information|hint|off); repeatable
      --max-file-size-kb N       Files over N KiB are not analysed (default ${DEFAULT_MAX_FILE_SIZE_KB})
      --cache DIR                Keep parsed manifests in DIR (created if missing; keyed by file content
                                 and engine version): the next check reads them instead of parsing,
                                 and prints the stored findings when no file it read has changed
${SOURCE_USAGE}
${TOOL_USAGE}
  report PLAN       Print the plan's numbers per state (report -: the totals of YAML on stdin)
      --format text|json|html|markdown|svg
                                 Output format (default text): html is one self-contained page with
                                 the charts, markdown a table for pull requests, svg the budget chart
      --workspace DIR, --max-source-files N, --max-source-size-mb N   as for check
      --kustomize, --helm, --tool-timeout   as for check
  render PLAN       The manifests each phase creates or touches (all phases, in order)
      --phase NAME               Only this phase
      --out DIR                  Write a folder per phase instead of printing
      --format yaml|kustomize    kustomize adds kustomization.yaml files (needs --out)
      --workspace DIR, --max-source-files N, --max-source-size-mb N   as for check
      --format kustomize-overlay --base DIR
                                 a Kustomize overlay per phase over your base DIR (needs --out)
      --kustomize, --helm, --tool-timeout   as for check
  apply PLAN --phase NAME    Apply one phase to a cluster: record, create, wait for readiness,
                             re-point Services, scale down (see docs/apply.md)
      --dry-run                  Send every change with dryRun=All and print the diffs; change nothing
      --context C                kubeconfig context (default: its current-context)
      --kubeconfig F             kubeconfig file (default: KUBECONFIG, else ~/.kube/config)
      --timeout DURATION         How long to wait for rollouts: 10m (default), 90s, 1h30m
      --yes, -y                  Confirm without asking (does not force field conflicts)
      --force-order              Apply although earlier phases are not applied on the cluster
                                 (only when they were applied another way)
  rollback PLAN --phase NAME Restore what an apply of the phase recorded; delete only what it created
      --context C, --kubeconfig F, --timeout DURATION, --yes    as for apply
      --workspace DIR, --max-source-files N, --max-source-size-mb N   as for check
  usage PLAN --from SOURCE   Record observed usage into the plan's usage snapshot (see docs/usage.md)
      --from metrics-server      Sample metrics.k8s.io: --interval 30s --duration 5m [--context C] [--kubeconfig F]
      --from prometheus          cAdvisor series: --url URL [--window 7d] [--max-points 2000]
      --from krr FILE            Import krr's JSON output (krr simple -f json)
      --out FILE                 Where to write (default: the plan's spec.usage, else usage.yaml beside it)
  verify PLAN --phase NAME   Check the live cluster against the plan's state after the phase (see docs/verify.md)
      --context C, --kubeconfig F    as for apply
      --format text|json         Output format (default text)
      --prometheus URL           Usage targets on Prometheus over --window (default 1d) instead of metrics-server now

Exit status: 0 no error-severity finding, 1 some, 2 usage or I/O error.
apply and rollback: 0 done, 1 failed (after saying what was and was not done), 2 usage error.
usage: 0 written, 1 the source failed (nothing written), 2 usage error.
verify: 0 every line holds, 1 some does not (or the cluster could not be read), 2 usage error.
Progress goes to stderr.
`;

export async function main(
  argv: string[],
  cwd = process.cwd(),
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  stdin: NodeJS.ReadableStream = process.stdin,
  /** From the launcher (launch.ts), which has looked for a stored `check --cache` result and found none that holds. */
  launched = false,
): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'check':
        return await check(rest, cwd, out, stdin, launched);
      case 'report':
        return await report(rest, cwd, out, err, stdin);
      case 'render':
        return await render(rest, cwd, out, err);
      case 'apply':
        return await apply(rest, { cwd, out, err, stdin: process.stdin, env: process.env });
      case 'rollback':
        return await rollback(rest, { cwd, out, err, stdin: process.stdin, env: process.env });
      case 'usage':
        return await usage(rest, { cwd, out, err, env: process.env });
      case 'verify':
        return await verify(rest, { cwd, out, err, env: process.env });
      case '--version':
      case '-v':
        out.write(`${VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        (command === undefined ? err : out).write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err.write(`consolidate: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    err.write(`consolidate: ${errorSentence(error)}\n`);
    return 2;
  }
}

async function check(
  argv: string[],
  cwd: string,
  out: NodeJS.WritableStream,
  stdin: NodeJS.ReadableStream,
  launched: boolean,
): Promise<number> {
  const args = parseCheckArgs(argv, cwd, isKnownCode);
  const { options, paths, fromStdin, cacheDir } = args;
  const version = cacheDir === undefined ? '' : engineVersion(__filename, VERSION);
  const print = (result: CheckResult) => {
    const printed = printCheck(result, args.format, VERSION);
    out.write(printed.text);
    return printed.status;
  };
  // The whole result, when nothing it was computed from changed (never with standard input: see resultCache.ts).
  // The launcher (launch.ts) serves it before this bundle is even loaded, and has looked already when it
  // loads it; this looks when called in-process.
  const results = cacheDir === undefined || fromStdin ? undefined : new ResultCache(cacheDir);
  const runKey = results && checkResultKey(args, version);
  const stored = runKey === undefined || launched ? undefined : storedCheck(cacheDir!, runKey);
  if (stored) return print(stored);
  const host = results ? new RecordingFileHost() : nodeFileHost;
  const workspace = new ConsolidationWorkspace(host, options);
  const cache = cacheDir === undefined ? undefined : new PersistentCache(cacheDir, version);
  workspace.usePersistentCache(cache);
  const pool = ManifestReaderPool.beside(__dirname);
  // A folder is usually many files: the worker boots while they are found (and stops unused if they are
  // few). Not with a cache, whose models mostly leave it nothing to do.
  if (!cache && paths.some((p) => isFolder(path.resolve(cwd, p)))) pool?.start();
  let result: CheckResult;
  let rendered: boolean;
  try {
    const inputs = discoverInputs(
      host,
      paths,
      cwd,
      host instanceof RecordingFileHost ? (file) => host.kind(file) : undefined,
    );
    if (fromStdin) inputs.manifests.push(stdinFile(workspace, cwd, await readStdin(stdin)));
    await useTools(workspace, args.toolFlags, options.sourceRoots ?? [cwd], inputs.plans);
    await parseInParallel(
      workspace,
      [...inputs.manifests, ...inputs.plans.flatMap((p) => workspace.sourceFiles(p))],
      pool,
    );
    result = {
      findings: positionFindings(workspace, diagnose(workspace, { ...inputs, orphanScope: 'together' }), cwd),
      rules: ALL_RULES.map(({ code, description, defaultSeverity }) => ({ code, description, defaultSeverity })),
      clock: clockWindow(inputs.plans.map((p) => workspace.plan(p))),
    };
    // Tool output is not a file read: a run with Kustomize or Helm sources is not stored whole.
    rendered = inputs.plans.some((p) => (workspace.plan(p)?.plan.renderedSources?.length ?? 0) > 0);
  } finally {
    await pool?.dispose();
  }
  cache?.prune();
  // Not when a file read twice gave different bytes (it changed during the run).
  if (results && host instanceof RecordingFileHost && host.stable && !rendered && withinWindow(result.clock))
    results.put(runKey!, host.manifest(), result);
  return print(result);
}

async function report(
  args: string[],
  cwd: string,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  stdin: NodeJS.ReadableStream,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'text' }, ...SOURCE_OPTIONS, ...TOOL_FLAGS },
  });
  const format = values.format as string;
  if (!REPORT_FORMATS.includes(format))
    throw new UsageError(`--format must be text, json, html, markdown or svg, not "${format}"`);
  if (positionals.length !== 1)
    throw new UsageError('report takes exactly one plan file (or -: manifests on standard input)');
  const sources = sourceOptions(values, cwd);
  const workspace = new ConsolidationWorkspace(nodeFileHost, { ...DEFAULT_OPTIONS, ...sources });
  const planPath =
    positionals[0] === STDIN_ARG
      ? stdinPlan(workspace, cwd, await readStdin(stdin))
      : path.resolve(cwd, positionals[0]);
  await useTools(workspace, values, sources.sourceRoots ?? [cwd], [planPath]);
  if (workspace.text(planPath) === undefined) throw new UsageError(`${positionals[0]}: cannot read the plan file`);
  const result = workspace.plan(planPath)!;
  // The numbers leave out what the sources could not read: say so, as check would.
  const unread = workspace.findings
    .plan(planPath)
    .filter((f) => f.code === 'plan/source-outside-workspace' || f.code === 'plan/sources-too-large');
  for (const finding of unread) err.write(`consolidate: warning: ${finding.message}\n`);
  const data = buildReport(result, cwd, (file, offset) => workspace.lineIndex(file)?.positionAt(offset).line);
  out.write(formatReport(data, format));
  return 0;
}

const REPORT_FORMATS = ['text', 'json', 'html', 'markdown', 'svg'];

function formatReport(data: PlanReport, format: string): string {
  switch (format) {
    case 'json':
      return JSON.stringify(data, null, 2) + '\n';
    case 'html':
      return renderStandaloneHtml(data);
    case 'markdown':
      return formatReportMarkdown(data);
    case 'svg':
      return `<?xml version="1.0" encoding="UTF-8"?>\n${renderBudgetChart(data, { standalone: true })}\n`;
    default:
      return formatReportText(data);
  }
}

/** Large inputs are parsed on worker threads; for a few files starting workers costs more than it saves. */
async function parseInParallel(
  workspace: ConsolidationWorkspace,
  files: string[],
  pool: ManifestReaderPool | undefined,
): Promise<void> {
  if (files.length < PARALLEL_THRESHOLD) return;
  await workspace.preload(files, pool);
}

function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

const PARALLEL_THRESHOLD = 32;
