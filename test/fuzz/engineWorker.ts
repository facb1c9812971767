// Runs one robustness case against the engine in a worker thread, so the test can stop a case that hangs or runs
// out of memory. Every check collects violations (with stacks) instead of stopping at the first.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { readManifestFile } from '../../server/src/engine/manifests/readManifestFile';
import { readPlan } from '../../server/src/engine/plan/readPlan';
import { buildReport } from '../../server/src/engine/report/report';
import { formatReportText } from '../../server/src/engine/report/reportText';
import type { Finding } from '../../server/src/engine/rules/types';
import { ConsolidationWorkspace, isPlanFile } from '../../server/src/engine/workspace/consolidationWorkspace';
import { diagnose, flattenParts } from '../../server/src/engine/workspace/diagnose';
import { nodeFileHost } from '../../server/src/engine/workspace/fileHost';
import { codeLenses } from '../../server/src/service/codeLens';
import { completion } from '../../server/src/service/completion';
import { definition } from '../../server/src/service/definition';
import { toDiagnostic } from '../../server/src/service/diagnostics';
import { hover } from '../../server/src/service/hover';
import { documentSymbols } from '../../server/src/service/symbols';

export interface EngineCase {
  id: number;
  label: string;
  /** Relative path → text, written into a fresh temporary folder. */
  files: [string, string][];
  /** Relative path of the plan, when there is one. */
  plan?: string;
  maxFileBytes: number;
  /** Files whose text is fed to readManifestFile and readPlan on their own (the mutated ones; default: all). */
  direct?: string[];
  /** Fractions of the plan's length where hover/completion/definition are asked. */
  probes: number[];
  /** Require every number of the report to be finite (no Infinity/NaN, which JSON prints as null). */
  finiteReport: boolean;
}

export interface EngineResult {
  id: number;
  violations: string[];
}

/** The CLI's and the server's test for "a YAML file that is ours to judge" (diagnose.ts), restated. */
const LOOKS_LIKE_MANIFEST = /^(apiVersion|kind|services)\s*:/m;
const SEVERITIES = new Set(['error', 'warning', 'information', 'hint']);

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Every `{start, end}` range (with its `file` when it has one) in a model is within the text of that file. */
function walkRanges(
  value: unknown,
  file: string,
  length: number,
  where: string,
  out: string[],
  seen = new Set<unknown>(),
  depth = 0,
): void {
  if (!value || typeof value !== 'object' || seen.has(value) || depth > 40) return;
  seen.add(value);
  const v = value as Record<string, unknown>;
  const range = v.range as { start?: unknown; end?: unknown } | undefined;
  if (range && typeof range === 'object' && 'start' in range && 'end' in range) {
    const { start, end } = range as { start: number; end: number };
    if (typeof v.file === 'string' && v.file !== file) out.push(`${where}: a location names ${v.file}, not ${file}`);
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= length)) {
      out.push(
        `${where}: range ${JSON.stringify(range)} is outside the text (length ${length}) in ${JSON.stringify(v).slice(0, 300)}`,
      );
    }
  }
  for (const child of Array.isArray(value) ? value : Object.values(v))
    walkRanges(child, file, length, where, out, seen, depth + 1);
}

function checkFindings(findings: Finding[], workspace: ConsolidationWorkspace, where: string, out: string[]): void {
  for (const f of findings) {
    if (typeof f.code !== 'string' || !f.code || typeof f.message !== 'string' || !SEVERITIES.has(f.severity))
      out.push(`${where}: malformed finding ${JSON.stringify(f).slice(0, 300)}`);
    for (const location of [f.location, ...(f.related ?? []).map((r) => r.location)]) {
      if (!location || typeof location.file !== 'string' || !location.range) {
        out.push(
          `${where}: ${f.code} has a location or related location without a file and range: ${f.message.slice(0, 200)}`,
        );
        continue;
      }
      const text = workspace.text(location.file);
      const { start, end } = location.range;
      if (text === undefined) out.push(`${where}: ${f.code} is in ${location.file}, which the workspace cannot read`);
      else if (!(
        Number.isInteger(start) &&
        Number.isInteger(end) &&
        start >= 0 &&
        start <= end &&
        end <= text.length
      )) {
        out.push(
          `${where}: ${f.code} range ${start}-${end} outside ${path.basename(location.file)} (length ${text.length}): ${f.message.slice(0, 200)}`,
        );
      }
    }
  }
}

function nonFinite(value: unknown, at = 'report'): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${at} = ${value}`];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => nonFinite(v, `${at}.${k}`));
}

/** Runs one case in `dir` (an empty folder the caller creates and removes, so a stopped case leaves nothing behind). */
export function runCase(c: EngineCase, dir: string): string[] {
  const out: string[] = [];
  const step = (name: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      out.push(`${name} threw: ${describeError(error)}`);
    }
  };
  const abs = (rel: string) => path.join(dir, ...rel.split('/'));

  // 1. Each text on its own, through the readers.
  for (const [rel, text] of c.files) {
    if (rel.endsWith('.env') || (c.direct && !c.direct.includes(rel))) continue;
    const file = abs(rel);
    step(`readManifestFile(${rel})`, () => {
      const manifest = readManifestFile(file, text, { maxBytes: c.maxFileBytes });
      walkRanges(manifest, file, text.length, `readManifestFile(${rel})`, out);
      if (Buffer.byteLength(text, 'utf8') > c.maxFileBytes) {
        const codes = manifest.syntaxProblems.map((p) => p.code);
        if (
          codes.length !== 1 ||
          codes[0] !== 'manifest/too-large' ||
          manifest.workloads.length + manifest.services.length + manifest.quantityProblems.length > 0
        ) {
          out.push(
            `readManifestFile(${rel}): a text over the cap must give exactly one too-large problem and nothing else, got ${JSON.stringify(codes)}`,
          );
        }
      }
    });
    const asPlan = isPlanFile(file) ? file : `${file}.plan.yaml`;
    step(`readPlan(${rel})`, () => walkRanges(readPlan(asPlan, text), asPlan, text.length, `readPlan(${rel})`, out));
  }

  // 2. The whole folder, through the workspace as the CLI and the server use it.
  for (const [rel, text] of c.files) {
    mkdirSync(path.dirname(abs(rel)), { recursive: true });
    writeFileSync(abs(rel), text);
  }
  const manifests = c.files.map(([rel]) => abs(rel)).filter((f) => /\.ya?ml$/i.test(f) && !isPlanFile(f));
  const planFile = c.plan ? abs(c.plan) : undefined;
  // One workspace, as in the server: the per-file pass and the plan's features reuse what the first pass parsed.
  const workspace = new ConsolidationWorkspace(nodeFileHost, { maxFileBytes: c.maxFileBytes, rules: {} });
  for (const scope of ['together', 'per-file'] as const) {
    step(`diagnose(${scope})`, () => {
      const byFile = diagnose(workspace, {
        plans: planFile && scope === 'together' ? [planFile] : [],
        manifests,
        orphanScope: scope,
      });
      const sources =
        planFile && scope === 'together'
          ? (workspace.plan(planFile)?.sourceSet ?? new Set<string>())
          : new Set<string>();
      for (const [file, parts] of byFile) {
        const findings = flattenParts(parts);
        checkFindings(findings, workspace, `diagnose(${scope}) ${path.relative(dir, file)}`, out);
        const text = workspace.text(file) ?? '';
        if (
          !isPlanFile(file) &&
          Buffer.byteLength(text, 'utf8') > c.maxFileBytes &&
          (sources.has(file) || LOOKS_LIKE_MANIFEST.test(text))
        ) {
          const codes = findings.map((f) => f.code);
          if (codes.length !== 1 || codes[0] !== 'manifest/too-large')
            out.push(
              `diagnose(${scope}) ${path.relative(dir, file)}: over the cap, expected exactly [manifest/too-large], got ${JSON.stringify(codes)}`,
            );
        }
        for (const f of findings) step(`toDiagnostic(${f.code})`, () => void toDiagnostic(workspace, f));
      }
    });
  }

  // 3. The plan's analysis, report and editor features.
  if (planFile) {
    step('plan + report', () => {
      const result = workspace.plan(planFile);
      if (!result) {
        out.push('workspace.plan returned nothing for a plan file on disk');
        return;
      }
      const report = buildReport(result, dir);
      JSON.parse(JSON.stringify(report));
      formatReportText(report);
      if (c.finiteReport)
        for (const bad of nonFinite(report.states))
          out.push(`report has a non-finite number (JSON prints null): ${bad}`);
      checkFindings(workspace.findings.plan(planFile), workspace, 'findings.plan', out);
      checkFindings(workspace.findings.planSources(planFile), workspace, 'findings.planSources', out);
    });
    const length = workspace.text(planFile)?.length ?? 0;
    step('codeLenses', () => void codeLenses(workspace, planFile));
    step('documentSymbols', () => void documentSymbols(workspace, planFile));
    for (const probe of c.probes) {
      const offset = Math.floor(probe * (length + 1));
      step(`hover@${offset}`, () => void hover(workspace, planFile, offset));
      step(`completion@${offset}`, () => void completion(workspace, planFile, offset));
      step(`definition@${offset}`, () => void definition(workspace, planFile, offset));
    }
  }
  return out;
}

parentPort?.on('message', ({ c, dir }: { c: EngineCase; dir: string }) => {
  let violations: string[];
  try {
    violations = runCase(c, dir);
  } catch (error) {
    violations = [`case threw: ${describeError(error)}`];
  }
  parentPort!.postMessage({ id: c.id, violations } satisfies EngineResult);
});
