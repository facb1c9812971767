import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { buildReport } from '../engine/report/report';
import { formatReportText } from '../engine/report/reportText';
import { isKnownCode, type RuleSettings } from '../engine/rules/registry';
import type { SeveritySetting } from '../engine/rules/types';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../engine/workspace/consolidationWorkspace';
import { diagnose } from '../engine/workspace/diagnose';
import { nodeFileHost } from '../engine/workspace/fileHost';
import { ManifestReaderPool } from '../engine/workspace/manifestReaderPool';
import { PersistentCache } from '../engine/workspace/persistentCache';
import { engineVersion } from '../engine/workspace/engineVersion';
import { discoverInputs, UsageError } from './discover';
import { render } from './render';
import { apply, rollback } from './apply';
import { formatJson, formatSarif, formatText, positionFindings } from './findingsOutput';

declare const CLI_VERSION: string | undefined;
const VERSION = typeof CLI_VERSION === 'string' ? CLI_VERSION : '0.0.0-dev';

const USAGE = `Usage: consolidate <command> [options]

Commands:
  check [PATH...]   Check plans and manifests (files or folders; default: .)
      --format text|json|sarif   Output format (default text)
      --rule CODE=SEVERITY       Override a rule's severity (error|warning|information|hint|off); repeatable
      --max-file-size-kb N       Files over N KiB are not analysed (default 2048)
      --cache DIR                Keep parsed manifests in DIR (created if missing; keyed by file content
                                 and engine version): the next check reads them instead of parsing
  report PLAN       Print the plan's numbers per state
      --format text|json         Output format (default text)
  render PLAN       The manifests each phase creates or touches (all phases, in order)
      --phase NAME               Only this phase
      --out DIR                  Write a folder per phase instead of printing
      --format yaml|kustomize    kustomize adds kustomization.yaml files (needs --out)
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

Exit status: 0 no error-severity finding, 1 some, 2 usage or I/O error.
apply and rollback: 0 done, 1 failed (after saying what was and was not done), 2 usage error.
Progress goes to stderr.
`;

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

export async function main(argv: string[], cwd = process.cwd(), out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'check':
        return await check(rest, cwd, out);
      case 'report':
        return report(rest, cwd, out);
      case 'render':
        return render(rest, cwd, out, err);
      case 'apply':
        return await apply(rest, { cwd, out, err, stdin: process.stdin, env: process.env });
      case 'rollback':
        return await rollback(rest, { cwd, out, err, stdin: process.stdin, env: process.env });
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
    err.write(`consolidate: ${(error as Error).stack ?? error}\n`);
    return 2;
  }
}

async function check(args: string[], cwd: string, out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      rule: { type: 'string', multiple: true, default: [] },
      'max-file-size-kb': { type: 'string' },
      cache: { type: 'string' },
    },
  });
  const format = values.format as string;
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif, not "${format}"`);
  const workspace = new ConsolidationWorkspace(nodeFileHost, {
    maxFileBytes: maxBytes(values['max-file-size-kb']),
    rules: parseRules(values.rule as string[]),
  });
  const cache = values.cache === undefined ? undefined : new PersistentCache(path.resolve(cwd, values.cache as string), engineVersion(__filename, VERSION));
  workspace.usePersistentCache(cache);
  const inputs = discoverInputs(nodeFileHost, positionals.length ? positionals : ['.'], cwd);
  await parseInParallel(workspace, [...inputs.manifests, ...inputs.plans.flatMap((p) => workspace.sourceFiles(p))]);
  const findings = positionFindings(workspace, diagnose(workspace, { ...inputs, orphanScope: 'together' }), cwd);
  cache?.prune();
  out.write(format === 'json' ? formatJson(findings) : format === 'sarif' ? formatSarif(findings, VERSION) : formatText(findings));
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

function report(args: string[], cwd: string, out: NodeJS.WritableStream): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string', default: 'text' } } });
  const format = values.format as string;
  if (!['text', 'json'].includes(format)) throw new UsageError(`--format must be text or json, not "${format}"`);
  if (positionals.length !== 1) throw new UsageError('report takes exactly one plan file');
  const planPath = path.resolve(cwd, positionals[0]);
  const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
  if (workspace.text(planPath) === undefined) throw new UsageError(`${positionals[0]}: cannot read the plan file`);
  const result = workspace.plan(planPath)!;
  const data = buildReport(result, cwd);
  out.write(format === 'json' ? JSON.stringify(data, null, 2) + '\n' : formatReportText(data));
  return 0;
}

function parseRules(entries: string[]): RuleSettings {
  const settings: Record<string, SeveritySetting> = {};
  for (const entry of entries) {
    const [code, severity] = entry.split('=');
    if (!code || !severity || !SEVERITIES.has(severity)) throw new UsageError(`--rule expects CODE=SEVERITY, not "${entry}"`);
    if (!isKnownCode(code)) throw new UsageError(`--rule: unknown code "${code}"`);
    settings[code] = severity as SeveritySetting;
  }
  return settings;
}

function maxBytes(value: string | undefined): number {
  if (value === undefined) return DEFAULT_OPTIONS.maxFileBytes;
  const kb = Number(value);
  if (!Number.isFinite(kb) || kb <= 0) throw new UsageError(`--max-file-size-kb must be a positive number, not "${value}"`);
  return Math.floor(kb * 1024);
}

/** Large inputs are parsed on worker threads; for a few files starting workers costs more than it saves. */
async function parseInParallel(workspace: ConsolidationWorkspace, files: string[]): Promise<void> {
  if (files.length < PARALLEL_THRESHOLD) return;
  const pool = ManifestReaderPool.beside(__dirname);
  try {
    await workspace.preload(files, pool);
  } finally {
    await pool?.dispose();
  }
}

const PARALLEL_THRESHOLD = 32;

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    // Let stdout drain before exiting (large JSON output to a pipe).
    process.stdout.write('', () => process.exit(code));
  });
}
