import * as path from 'node:path';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Severity } from '../engine/rules/types';
import type { Position } from '../engine/yaml/lineIndex';

export interface PositionedFinding {
  file: string;
  range: { start: Position; end: Position };
  severity: Severity;
  code: string;
  message: string;
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

/** What SARIF says of each rule: from the registry, or stored with a cached result. */
export interface SarifRule {
  code: string;
  description: string;
  defaultSeverity: Severity;
}

export function formatSarif(findings: PositionedFinding[], version: string, ruleList: readonly SarifRule[]): string {
  const rules: ReportingDescriptor[] = ruleList.map((rule) => ({
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
