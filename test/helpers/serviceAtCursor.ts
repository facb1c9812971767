// In-process language service tests (yaml-language-server's test/hover.test.ts style): a plan text with
// a cursor marker, an in-memory workspace around it, and the service's answer at the cursor.
import type { Position } from 'vscode-languageserver-types';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  getLanguageService,
  type LanguageService,
  type LanguageServiceSettings,
} from '../../server/src/service/languageService';
import { pathToUri } from '../../server/src/service/uris';
import type { ConsolidationWorkspace } from '../../server/src/engine/workspace/consolidationWorkspace';
import { ROOT, workspaceOf } from './memoryHost';

export const PLAN_FILE = `${ROOT}/test.plan.yaml`;
export const CURSOR = '$0';

export interface AtCursor {
  service: LanguageService;
  workspace: ConsolidationWorkspace;
  document: TextDocument;
  /** The plan's text without the marker. */
  text: string;
  offset: number;
  position: Position;
}

/**
 * The plan `textWithCursor` (the cursor written `$0`, or `|` when there is no `$0`) as test.plan.yaml
 * beside `files`, and a language service over them.
 */
export function atCursor(
  textWithCursor: string,
  files: Record<string, string> = {},
  settings: Partial<LanguageServiceSettings> = {},
): AtCursor {
  const marker = textWithCursor.includes(CURSOR) ? CURSOR : '|';
  const offset = textWithCursor.indexOf(marker);
  if (offset < 0 || textWithCursor.indexOf(marker, offset + 1) >= 0)
    throw new Error(`the plan needs exactly one cursor marker (${CURSOR} or |)`);
  const text = textWithCursor.slice(0, offset) + textWithCursor.slice(offset + marker.length);
  const workspace = workspaceOf({ ...files, 'test.plan.yaml': text });
  const service = getLanguageService(workspace, () => ({
    codeLens: { enabled: true },
    generatedDirectory: 'generated',
    ...settings,
  }));
  const document = TextDocument.create(pathToUri(PLAN_FILE), 'consolidation-plan', 1, text);
  return { service, workspace, document, text, offset, position: document.positionAt(offset) };
}

/** The Markdown text of a hover, or undefined when there is none. */
export function hoverText(at: AtCursor): string | undefined {
  const hover = at.service.doHover(at.document, at.position);
  if (!hover) return undefined;
  const contents = hover.contents;
  return typeof contents === 'object' && 'value' in contents ? contents.value : JSON.stringify(contents);
}
