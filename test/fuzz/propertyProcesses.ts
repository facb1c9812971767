// The properties through the processes users run: the `consolidate` CLI (dist/cli.js) and the language server
// (dist/server.js), on cases from propertyInputs.ts. Fewer runs than the engine property: each starts processes.
//
//   CLI:  check exits 0 or 1 with JSON whose errors match the exit code; `report --format json` is what the engine
//         computes in-process, exact, and the sum of its parts; `render` stdout re-reads with the report's totals.
//   LSP:  after opening every file of some cases and applying an edit sequence, the diagnostics the server publishes
//         for each file equal `consolidate check --format json`'s for the same texts on disk.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { buildReport, type PlanReport } from '../../server/src/engine/report/report';
import { ConsolidationWorkspace, DEFAULT_OPTIONS } from '../../server/src/engine/workspace/consolidationWorkspace';
import { nodeFileHost } from '../../server/src/engine/workspace/fileHost';
import { CLI, runCli, SERVER } from '../helpers/cli';
import { LspClient, messageText } from '../helpers/lspClient';
import { inexactNumbers, isKnownBug, reReadViolations, sumOfParts, writeCase } from './propertyChecks';
import { anyCase, editSequence, type Edit, type PropertyCase } from './propertyInputs';

const PROCESS_BOUND_MS = 60_000;

function scratch(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'consolidation-property-'));
}

interface CheckJson {
  diagnostics: {
    file: string;
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    severity: string;
    code: string;
    message: string;
  }[];
}

/** `consolidate check . --format json` in `dir`: exit 0/1 matching the errors, JSON on stdout. */
async function cliCheck(dir: string, out: string[]): Promise<CheckJson | undefined> {
  const run = await runCli(['check', '.', '--format', 'json'], { cwd: dir, timeoutMs: PROCESS_BOUND_MS });
  if (run.code !== 0 && run.code !== 1)
    return void out.push(`check: exit ${run.code} (signal ${run.signal}); stderr: ${run.stderr.slice(0, 1500)}`);
  let json: CheckJson;
  try {
    json = JSON.parse(run.stdout) as CheckJson;
  } catch (error) {
    return void out.push(`check: stdout is not JSON (${(error as Error).message}): ${run.stdout.slice(0, 300)}`);
  }
  const errors = json.diagnostics.some((d) => d.severity === 'error');
  if (run.code !== (errors ? 1 : 0))
    out.push(`check: exit ${run.code} but ${errors ? 'there are' : 'there are no'} errors`);
  return json;
}

/** Violations of the CLI properties for one case; `tolerateKnownBugs` leaves out those of KNOWN_BUGS. */
export async function cliViolations(c: PropertyCase, tolerateKnownBugs: boolean): Promise<string[]> {
  const dir = scratch();
  const out: string[] = [];
  try {
    writeCase(c, dir);
    await cliCheck(dir, out);
    const reportRun = await runCli(['report', c.plan, '--format', 'json'], { cwd: dir, timeoutMs: PROCESS_BOUND_MS });
    if (reportRun.code !== 0)
      return [...out, `report: exit ${reportRun.code}; stderr: ${reportRun.stderr.slice(0, 1500)}`];
    const report = JSON.parse(reportRun.stdout) as PlanReport;
    const workspace = new ConsolidationWorkspace(nodeFileHost, DEFAULT_OPTIONS);
    const result = workspace.plan(path.join(dir, ...c.plan.split('/')))!;
    const inProcess = buildReport(result, dir, (file, offset) => workspace.lineIndex(file)?.positionAt(offset).line);
    if (JSON.stringify(report) !== JSON.stringify(inProcess))
      out.push(
        `report: the CLI's JSON differs from the engine's:\n    cli    ${JSON.stringify(report).slice(0, 600)}\n    engine ${JSON.stringify(inProcess).slice(0, 600)}`,
      );
    out.push(...sumOfParts(result, report));
    if (c.origin !== 'mutated') {
      out.push(...inexactNumbers(report));
      const renderRun = await runCli(['render', c.plan], { cwd: dir, timeoutMs: PROCESS_BOUND_MS });
      if (renderRun.code !== 0)
        return [...out, `render: exit ${renderRun.code}; stderr: ${renderRun.stderr.slice(0, 1500)}`];
      // stdout: `# Phase NAME` then that phase's documents, for each phase.
      const parts = renderRun.stdout.split(/^# Phase (.*)\n/m).slice(1);
      const phases: { name: string; yaml: string }[] = [];
      for (let i = 0; i < parts.length; i += 2) phases.push({ name: parts[i], yaml: parts[i + 1] });
      if (phases.length !== result.plan.phases.length)
        out.push(`render: ${phases.length} phases on stdout, the plan has ${result.plan.phases.length}`);
      else out.push(...reReadViolations(workspace, result, report, phases, path.join(dir, '.reread')));
    }
  } catch (error) {
    out.push(`a CLI property threw: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tolerateKnownBugs ? out.filter((v) => !isKnownBug(v)) : out;
}

export function cliProperty(options: { tolerateKnownBugs: boolean }) {
  return fc.asyncProperty(anyCase, async (c) => {
    const violations = await cliViolations(c, options.tolerateKnownBugs);
    if (violations.length > 0)
      throw new Error(`${violations.length} violation(s) [${c.label}]:\n  ${violations.slice(0, 8).join('\n  ')}`);
  });
}

// ---- the language server against check ----

const SEVERITY: Record<number, string> = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

type Key = string;
const keyOf = (d: {
  range: CheckJson['diagnostics'][number]['range'];
  severity: string;
  code: string;
  message: string;
}): Key =>
  `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${d.code}: ${d.message}`;

/** Multiset difference a − b. */
function minus(a: Key[], b: Key[]): Key[] {
  const left = [...b];
  return a.filter((k) => {
    const i = left.indexOf(k);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

/** Violations of "the server's diagnostics equal check's", for cases opened side by side and edited. */
export async function lspViolations(cases: PropertyCase[], edits: Edit[]): Promise<string[]> {
  const root = scratch();
  const out: string[] = [];
  let session: LspClient | undefined;
  try {
    cases.forEach((c, i) => writeCase(c, path.join(root, `case${i}`)));
    try {
      session = await LspClient.start({
        folder: root,
        folderName: 'property',
        cwd: root,
        capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
        initializationOptions: null,
        timeoutMs: PROCESS_BOUND_MS,
        keepPublished: true,
        maxStderrChars: 100_000,
      });
    } catch (error) {
      return [`initialize: ${error instanceof Error ? error.message : String(error)}`];
    }
    const docs: { rel: string; doc: TextDocument }[] = [];
    cases.forEach((c, i) => {
      for (const [rel, text] of c.files) {
        if (rel.endsWith('.env')) continue;
        const file = path.join(root, `case${i}`, ...rel.split('/'));
        const uri = pathToFileURL(file).href;
        const languageId = rel.endsWith('.plan.yaml') ? 'consolidation-plan' : 'yaml';
        docs.push({
          rel: path.relative(root, file).split(path.sep).join('/'),
          doc: TextDocument.create(uri, languageId, 1, text),
        });
        session!.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
      }
    });
    for (const edit of edits) {
      if (docs.length === 0) break;
      const d = docs[edit.file % docs.length];
      const text = d.doc.getText();
      const start = Math.floor(edit.start * text.length);
      const range = {
        start: d.doc.positionAt(start),
        end: d.doc.positionAt(Math.min(text.length, start + edit.length)),
      };
      const version = d.doc.version + 1;
      d.doc = TextDocument.update(d.doc, [{ range, text: edit.text }], version);
      session.notify('textDocument/didChange', {
        textDocument: { uri: d.doc.uri, version },
        contentChanges: [{ range, text: edit.text }],
      });
    }
    const latest = (d: { doc: TextDocument }) => {
      for (let i = session!.published.length - 1; i >= 0; i--)
        if (session!.published[i].uri === d.doc.uri) return session!.published[i];
      return undefined;
    };
    await session.waitFor(
      () => docs.every((d) => latest(d)?.version === d.doc.version),
      PROCESS_BOUND_MS,
      () =>
        `diagnostics for ${docs
          .filter((d) => latest(d)?.version !== d.doc.version)
          .map((d) => `${d.rel}@v${d.doc.version}`)
          .join(', ')}`,
    );
    // The edited texts on disk, then check over the same folder.
    for (const d of docs) writeFileSync(path.join(root, ...d.rel.split('/')), d.doc.getText());
    const check = await cliCheck(root, out);
    if (!check) return out;
    for (const d of docs) {
      const fromServer = latest(d)!.diagnostics.map((x) =>
        keyOf({
          range: x.range,
          severity: SEVERITY[x.severity ?? 1],
          code: String(x.code),
          message: messageText(x.message),
        }),
      );
      const fromCheck = check.diagnostics.filter((x) => x.file === d.rel).map(keyOf);
      const onlyServer = minus(fromServer, fromCheck);
      const onlyCheck = minus(fromCheck, fromServer);
      if (onlyServer.length || onlyCheck.length) {
        out.push(
          `lsp = check: ${d.rel}: ${[...onlyServer.slice(0, 4).map((k) => `only the server: ${k}`), ...onlyCheck.slice(0, 4).map((k) => `only check: ${k}`)].join('; ')}`,
        );
      }
    }
    const bad = session.logs.filter((l) => /uncaught|unhandled rejection|diagnostics failed/i.test(l.message));
    for (const l of bad) out.push(`the server logged: ${l.message.slice(0, 500)}`);
    await session.shutdown(PROCESS_BOUND_MS);
  } catch (error) {
    out.push(
      `the language server property threw: ${error instanceof Error ? error.message.slice(0, 2000) : String(error)}`,
    );
  } finally {
    session?.kill();
    rmSync(root, { recursive: true, force: true });
  }
  return out;
}

export function lspProperty() {
  return fc.asyncProperty(fc.array(anyCase, { minLength: 1, maxLength: 3 }), editSequence, async (cases, edits) => {
    const violations = await lspViolations(cases, edits);
    if (violations.length > 0)
      throw new Error(
        `${violations.length} violation(s) [${cases.map((c) => c.label).join(' | ')}]:\n  ${violations.slice(0, 8).join('\n  ')}`,
      );
  });
}

export { CLI, SERVER };
