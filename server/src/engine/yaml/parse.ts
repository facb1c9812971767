import { Composer, CST, Document, Parser, YAMLError } from 'yaml';
import type { OffsetRange } from '../model/location';
import { composeFast, PARSE_OPTIONS } from './fastCompose';

/**
 * Deeper nesting is not composed. The Composer recurses once per level; near the end of a worker
 * thread's stack V8 can fail to compile a regular expression and abort the whole process instead
 * of throwing. Manifests nest a few dozen levels at most.
 */
export const MAX_NESTING = 500;

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
    // Plain manifests are built straight from the Lexer's tokens; anything else (and every error) goes to the Composer.
    const fast = composeFast(source);
    if (fast) return { documents: fast, problems: [] };
    const tokens = Array.from(new Parser().parse(source));
    const deepest = deepestNesting(tokens);
    if (deepest.depth > MAX_NESTING) {
      return {
        documents: [],
        problems: [
          {
            message: `YAML nested more than ${MAX_NESTING} levels deep: not analysed.`,
            range: { start: deepest.offset, end: deepest.offset },
            severity: 'error',
          },
        ],
      };
    }
    const list = Array.from(new Composer(PARSE_OPTIONS).compose(tokens)) as Document.Parsed[];
    const problems: YamlProblem[] = [];
    for (const doc of list) {
      for (const error of doc.errors) problems.push(toProblem(error, 'error', text.length));
      for (const warning of doc.warnings) problems.push(toProblem(warning, 'warning', text.length));
    }
    return { documents: list, problems };
  } catch (error) {
    return {
      documents: [],
      problems: [
        {
          message: `YAML could not be parsed: ${(error as Error).message}`,
          range: { start: 0, end: 0 },
          severity: 'error',
        },
      ],
    };
  }
}

function toProblem(error: YAMLError, severity: 'error' | 'warning', length: number): YamlProblem {
  const [start, end] = error.pos ?? [0, 0];
  const message = error.message.split('\n')[0];
  return { message, range: { start: Math.min(start, length), end: Math.min(Math.max(end, start), length) }, severity };
}

/** The deepest collection in a CST and where it starts, found without recursion. */
function deepestNesting(tokens: CST.Token[]): { depth: number; offset: number } {
  let deepest = { depth: 0, offset: 0 };
  const stack: { token: CST.Token | undefined; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push({ token: token.value, depth });
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > deepest.depth) deepest = { depth: depth + 1, offset: token.offset };
      // Stop early: past the limit the answer is known.
      if (deepest.depth > MAX_NESTING) return deepest;
      for (const item of token.items as { key?: CST.Token | null; value?: CST.Token }[]) {
        stack.push({ token: item.key ?? undefined, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
      }
    }
  }
  return deepest;
}
