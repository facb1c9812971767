// Keyboard-driven actions on the VS Code workbench (code-server 4.100 / VS Code 1.100) in the
// browser, as a person would use it. Every wait is on DOM state with a timeout, and a timeout
// says what it was waiting for (and, where it helps, what the screen showed instead).
import type { Page } from 'playwright-core';

// Functions passed to page.waitForFunction / page.evaluate run in the page. This TypeScript
// program has no DOM lib (it is Node code), so the page's `document` is declared for this module
// only. Keep those functions self-contained arrows (they are serialized), with no named inner
// functions (tsx would wrap those in a __name() helper that the page does not have).

declare const document: any;

/** Runs a wait; on failure throws "waiting for <what>: <first line of the error>[; <now>]". */
export async function waiting<T>(what: string, wait: Promise<T>, now?: () => Promise<string>): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    const first = ((err as Error).message ?? String(err)).split('\n')[0];
    let state = '';
    if (now)
      state = await now().then(
        (s) => `; ${s}`,
        () => '',
      );
    throw new Error(`waiting for ${what}: ${first}${state}`, { cause: err });
  }
}

/** A probe for `waiting`: the text content of `selector`. */
export const text = (page: Page, selector: string) => () =>
  page.evaluate((sel: string) => String(document.querySelector(sel)?.textContent ?? '(none)'), selector);

/** Quick Open (Ctrl+P): types `file` and opens it; resolves when its tab is the active one. */
export async function openWithQuickOpen(page: Page, file: string, timeoutMs: number): Promise<void> {
  await waiting('the workbench', page.waitForSelector('.monaco-workbench', { timeout: timeoutMs }));
  await page.keyboard.press('Control+P');
  await waiting(
    'Quick Open to show',
    page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: timeoutMs }),
  );
  await page.keyboard.type(file);
  // Results come from the file search (ripgrep on the server); wait for the row, then Enter.
  await waiting(
    `Quick Open to list ${file}`,
    page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ hasText: file })
      .first()
      .waitFor({ timeout: timeoutMs }),
    text(page, '.quick-input-list'),
  );
  await page.keyboard.press('Enter');
  await waiting(
    `${file} to be the active editor tab`,
    page.waitForFunction(
      (name: string) =>
        String(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').includes(name),
      file,
      { timeout: timeoutMs },
    ),
  );
}

/** Command palette (F1): runs the command whose label contains `label`. */
export async function runCommand(page: Page, label: string, timeoutMs: number): Promise<void> {
  await page.keyboard.press('F1');
  await waiting(
    'the command palette to show',
    page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: timeoutMs }),
  );
  await page.keyboard.type(label);
  const short = label.includes(':') ? label.slice(label.indexOf(':') + 1).trim() : label;
  await waiting(
    `the command palette to list "${label}"`,
    page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ hasText: short })
      .first()
      .waitFor({ timeout: timeoutMs }),
    text(page, '.quick-input-list'),
  );
  await page.keyboard.press('Enter');
  await waiting(
    'the command palette to close',
    page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: timeoutMs }),
  );
}

/** Waits for an error squiggle in the active editor. */
export async function waitForSquiggle(page: Page, timeoutMs: number): Promise<void> {
  await waiting(
    'an error squiggle (.squiggly-error) in the editor',
    page
      .locator('.editor-instance .monaco-editor .squiggly-error')
      .first()
      .waitFor({ state: 'attached', timeout: timeoutMs }),
    text(page, '[id="status.problems"]'),
  );
}

/** Gives the active editor the keyboard focus (Ctrl+1: focus the first editor group). */
export async function focusEditor(page: Page, timeoutMs = 10_000): Promise<void> {
  await page.keyboard.press('Control+1');
  await waiting(
    'the editor to have the focus (Ctrl+1)',
    page.waitForFunction(() => !!document.activeElement?.closest('.editor-instance .monaco-editor'), undefined, {
      timeout: timeoutMs,
    }),
  );
}

/** Waits until the status bar's language item shows `language` (e.g. "Consolidation Plan"). */
export async function waitForLanguage(page: Page, language: string, timeoutMs: number): Promise<void> {
  await waiting(
    `the status bar to show the language "${language}"`,
    page.waitForFunction(
      (want: string) => String(document.querySelector('[id="status.editor.mode"]')?.textContent ?? '').includes(want),
      language,
      { timeout: timeoutMs },
    ),
    async () => `it shows "${await text(page, '[id="status.editor.mode"]')()}"`,
  );
}

/** Waits until the status bar's cursor item contains `position` (e.g. "Ln 20, Col 18"). */
export async function waitForCursor(page: Page, position: string, timeoutMs: number): Promise<void> {
  await waiting(
    `the cursor at ${position}`,
    page.waitForFunction(
      (want: string) =>
        String(document.querySelector('[id="status.editor.selection"]')?.textContent ?? '').includes(want),
      position,
      { timeout: timeoutMs },
    ),
    async () => `the status bar shows "${await text(page, '[id="status.editor.selection"]')()}"`,
  );
}

/** Waits until the active editor's visible text contains `wanted`. */
export async function waitForEditorText(page: Page, wanted: string, timeoutMs: number): Promise<void> {
  await waiting(
    `the editor to show "${wanted}"`,
    page.waitForFunction(
      (want: string) =>
        String(document.querySelector('.editor-instance .view-lines')?.textContent ?? '')
          .replace(/\u00a0/g, ' ')
          .includes(want),
      wanted,
      { timeout: timeoutMs },
    ),
  );
}

/** Waits until the marker (F8) widget shows a text other than `previous`; returns it. */
export async function waitForMarkerWidget(page: Page, previous: string, timeoutMs: number): Promise<string> {
  const handle = await waiting(
    'the next-problem (F8) widget',
    page.waitForFunction(
      (prev: string) => {
        const shown = String(document.querySelector('.marker-widget')?.textContent ?? '');
        return shown && shown !== prev ? shown : undefined;
      },
      previous,
      { timeout: timeoutMs },
    ),
  );
  return String(await handle.jsonValue());
}

/** Waits until no row of the Problems panel contains `wanted`. */
export async function waitForNoProblem(page: Page, wanted: string, timeoutMs: number): Promise<void> {
  await waiting(
    `"${wanted}" to leave the Problems panel`,
    page.waitForFunction(
      (want: string) =>
        ![...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r: { textContent: string | null }) =>
          (r.textContent ?? '').includes(want),
        ),
      wanted,
      { timeout: timeoutMs },
    ),
  );
}

/** Waits until the active editor tab is not dirty (saved). */
export async function waitForSaved(page: Page, timeoutMs: number): Promise<void> {
  await waiting(
    'the active editor to be saved',
    page.waitForFunction(() => !document.querySelector('.tabs-container .tab.active.dirty'), undefined, {
      timeout: timeoutMs,
    }),
  );
}

/**
 * Waits until something titled with `word` is shown: an editor tab (a document, a webview) or the
 * channel picked in the Output view (an output channel).
 */
export async function waitForTitled(page: Page, word: string, timeoutMs: number): Promise<void> {
  await waiting(
    `an editor tab or output channel titled with "${word}"`,
    page.waitForFunction(
      (w: string) => {
        const re = new RegExp(w, 'i');
        // No named inner functions here: tsx would wrap them in a __name() the page does not have.
        const tabs = [...document.querySelectorAll('.tabs-container .tab')];
        if (tabs.some((t: { getAttribute(n: string): string | null }) => re.test(t.getAttribute('aria-label') ?? ''))) {
          return true;
        }
        for (const s of document.querySelectorAll('.part.panel select')) {
          if (re.test(s.options[s.selectedIndex]?.text ?? '') || re.test(s.title ?? '')) return true;
        }
        return false;
      },
      word,
      { timeout: timeoutMs },
    ),
    () => describeTabs(page),
  );
}

/** The editor tabs' titles, for a failure message. */
export async function describeTabs(page: Page): Promise<string> {
  return `tabs: ${await page.evaluate(() =>
    [...document.querySelectorAll('.tabs-container .tab')]
      .map((t: { getAttribute(n: string): string | null }) => t.getAttribute('aria-label'))
      .join(' | '),
  )}`;
}

/** The workbench's visible text, for failure messages. */
export async function workbenchText(page: Page): Promise<string> {
  try {
    return ((await page.locator('.monaco-workbench').first().innerText({ timeout: 2000 })) ?? '').replace(/\s+/g, ' ');
  } catch {
    return '(no workbench)';
  }
}

/** Go to Line (Ctrl+G) in the focused editor: puts the cursor at `line`:`column` (1-based). */
export async function goToLine(page: Page, line: number, column: number, timeoutMs: number): Promise<void> {
  await page.keyboard.press('Control+G');
  await waiting(
    'Go to Line (Ctrl+G) to show',
    page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: timeoutMs }),
  );
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
  await waiting(
    'Go to Line to close',
    page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: timeoutMs }),
  );
  await waitForCursor(page, `Ln ${line}, Col ${column}`, timeoutMs);
}

/** Moves the keyboard focus in the open code action menu (Ctrl+.) to the row that contains `wanted`. */
export async function focusActionWidgetRow(page: Page, wanted: string): Promise<void> {
  const focused = page.locator('.action-widget .monaco-list-row.focused').first();
  let seen: string[] = [];
  for (let i = 0; i < 15; i++) {
    const row = (await focused.textContent().catch(() => '')) ?? '';
    if (row.includes(wanted)) return;
    seen.push(row);
    await page.keyboard.press('ArrowDown');
  }
  seen = [...new Set(seen)];
  throw new Error(`the code action menu never focused "${wanted}"; focused rows: ${seen.join(' | ')}`);
}
