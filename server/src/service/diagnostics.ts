import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import type { Finding, Severity } from '../engine/rules/types';
import type { ConsolidationWorkspace } from '../engine/workspace/consolidationWorkspace';
import { toRange } from './positions';
import { pathToUri } from './uris';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export const DIAGNOSTIC_SOURCE = 'consolidation';

export function toDiagnostic(workspace: ConsolidationWorkspace, finding: Finding): Diagnostic {
  return {
    range: toRange(workspace, finding.location.file, finding.location.range),
    severity: SEVERITY[finding.severity],
    code: finding.code,
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    relatedInformation: finding.related?.map((r) => ({
      location: { uri: pathToUri(r.location.file), range: toRange(workspace, r.location.file, r.location.range) },
      message: r.message,
    })),
    data: finding.data,
  };
}
