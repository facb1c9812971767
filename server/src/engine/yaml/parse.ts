import { Document, parseAllDocuments, YAMLError } from 'yaml';
import type { OffsetRange } from '../model/location';
import { composeFast, PARSE_OPTIONS } from './fastCompose';

export interface YamlProblem {
  message: string;
  range: OffsetRange;
  severity: 'error' | 'warning';
}

export interface ParsedYaml {
  documents: Document.Parsed[];
  problems: YamlProblem[];
}

/**
 * Parses every document of a YAML text with the `yaml` package. Never throws: parser errors and
 * anything the parser itself throws (pathological nesting) become problems. Aliases are not expanded
 * here; readers resolve them one level at a time, so alias bombs cost nothing.
 */
export function parseYaml(text: string): ParsedYaml {
  try {
    // A lone CR is a line break to editors (and LSP) but not to the parser; same length, same offsets.
    const source = text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
    // Plain manifests are built straight from the CST; anything else (and every error) goes to the Composer.
    const documents = composeFast(source) ?? parseAllDocuments(source, PARSE_OPTIONS);
    const list = Array.isArray(documents) ? documents : [];
    const problems: YamlProblem[] = [];
    for (const doc of list) {
      for (const error of doc.errors) problems.push(toProblem(error, 'error', text.length));
      for (const warning of doc.warnings) problems.push(toProblem(warning, 'warning', text.length));
    }
    return { documents: list, problems };
  } catch (error) {
    return {
      documents: [],
      problems: [{ message: `YAML could not be parsed: ${(error as Error).message}`, range: { start: 0, end: 0 }, severity: 'error' }],
    };
  }
}

function toProblem(error: YAMLError, severity: 'error' | 'warning', length: number): YamlProblem {
  const [start, end] = error.pos ?? [0, 0];
  const message = error.message.split('\n')[0];
  return { message, range: { start: Math.min(start, length), end: Math.min(Math.max(end, start), length) }, severity };
}
