import * as path from 'node:path';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { ALL_RULES } from '../engine/rules/registry';
import type { Finding, Severity } from '../engine/rules/types';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { flattenParts } from '../engine/workspace/diagnose';
import type { Position } from '../engine/yaml/lineIndex';

export interface PositionedFinding {
  file: string;
  range: { start: Position; end: Position };
  severity: Severity;
  code: string;
  message: string;
}

export function positionFindings(
  workspace: ConsolidationWorkspace,
  byFile: Map<string, Finding[][]>,
  cwd: string,
): PositionedFinding[] {
  const out: PositionedFinding[] = [];
  for (const [file, parts] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const lines = workspace.lineIndex(file);
    for (const f of flattenParts(parts)) {
      out.push({
        file: relative(cwd, file),
        range: {
          start: lines?.positionAt(f.location.range.start) ?? { line: 0, character: 0 },
          end: lines?.positionAt(f.location.range.end) ?? { line: 0, character: 0 },
        },
        severity: f.severity,
        code: f.code,
        message: f.message,
      });
    }
  }
  return out.sort((a, b) =>
    a.file < b.file
      ? -1
      : a.file > b.file
        ? 1
        : a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}

export function relative(cwd: string, file: string): string {
  return path.relative(cwd, file).split(path.sep).join('/');
}

export function formatText(findings: PositionedFinding[]): string {
  const lines = findings.map(
    (f) => `${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${f.message}`,
  );
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  lines.push(`${count('error')} errors, ${count('warning')} warnings, ${count('information') + count('hint')} notes`);
  return lines.join('\n') + '\n';
}

export function formatJson(findings: PositionedFinding[]): string {
  return JSON.stringify({ diagnostics: findings }, null, 2) + '\n';
}

const SARIF_LEVEL: Record<Severity, NonNullable<Result['level']>> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

export function formatSarif(findings: PositionedFinding[], version: string): string {
  const rules: ReportingDescriptor[] = ALL_RULES.map((rule) => ({
    id: rule.code,
    shortDescription: { text: rule.description },
    defaultConfiguration: { level: SARIF_LEVEL[rule.defaultSeverity] },
  }));
  const sarif: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'consolidate', version, informationUri: 'https://consolidation.dev', rules } },
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: rules.findIndex((r) => r.id === f.code),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file) },
                region: {
                  startLine: f.range.start.line + 1,
                  startColumn: f.range.start.character + 1,
                  endLine: f.range.end.line + 1,
                  endColumn: f.range.end.character + 1,
                },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
