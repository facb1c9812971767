import type { SourceLocation } from '../model/location';

/** Every severity a finding can have, most severe first. */
export const SEVERITIES = ['error', 'warning', 'information', 'hint'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type SeveritySetting = Severity | 'off';
/** What a rule's severity can be set to (`--rule CODE=SEVERITY`, the `rules` setting). */
export const SEVERITY_SETTINGS: readonly SeveritySetting[] = [...SEVERITIES, 'off'];

/** One quick fix made of text edits to the plan (offsets into its text). */
export interface EditAction {
  title: string;
  changes: { start: number; end: number; newText: string }[];
}

/** Typed data a finding carries for its code actions (chosen by code, never by message text). */
export type FixData =
  | { fix: 'replace'; replacement: string; title: string }
  | { fix: 'choose'; replacements: string[]; title: string }
  /** Edits of the file the finding is in, computed by the engine (offsets into that file). */
  | { fix: 'edits'; actions: EditAction[] };

export interface RelatedLocation {
  location: SourceLocation;
  message: string;
}

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  location: SourceLocation;
  related?: RelatedLocation[];
  data?: FixData;
}

/** How a rule's check adds a finding; code and severity are added by the registry. */
export type AddFinding = (finding: Omit<Finding, 'code' | 'severity'> & { severity?: Severity }) => void;

export interface Rule<Context> {
  code: string;
  defaultSeverity: Severity;
  /** Where its findings are shown, for the docs' table: `plan: the reference`, `manifest: the value`. */
  where: string;
  description: string;
  check(context: Context, addFinding: AddFinding): void;
}

/** The usual fix: replace the finding's text with `replacement`, when there is one. */
export function changeTo(replacement: string | undefined): FixData | undefined {
  return replacement ? { fix: 'replace', replacement, title: `Change to ${replacement}` } : undefined;
}

/**
 * A problem a reader found (schema, quantity, unknown field) as a finding: its replacement is the quick fix,
 * and a warning stays a warning whatever the rule's severity (memory 3500m is suspicious, not invalid).
 */
export function problemFinding(problem: {
  message: string;
  severity?: 'error' | 'warning';
  location: SourceLocation;
  replacement?: string;
}): Parameters<AddFinding>[0] {
  return {
    message: problem.message,
    severity: problem.severity === 'warning' ? 'warning' : undefined,
    location: problem.location,
    data: changeTo(problem.replacement),
  };
}
