// Runner side: the workbench's modal dialogs, notification toasts and quick picks, driven in the
// browser (code-server 4.100 / VS Code 1.100, custom dialog style). Used by run-cluster.ts's bridge
// (to answer the modals the extension-host tests cannot answer themselves) and by run-cluster-ui.ts.
// Every wait is on DOM state with a timeout.
import type { Page } from 'playwright-core';
import { waiting, workbenchText } from '../../lib/workbench';
import type { DialogSeen, NotificationSeen } from './shared';

// Page functions: self-contained arrows, no named inner functions (see lib/workbench.ts).

declare const document: any;

const DIALOG = '.monaco-dialog-box';
const TOAST = '.notifications-toasts .notification-toast';

const oneLine = (s: string) =>
  s
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();

/** Waits for a modal dialog and returns its message, detail and buttons (it stays open). */
export async function waitForDialog(page: Page, timeoutMs: number): Promise<DialogSeen> {
  await waiting(
    'a modal dialog',
    page.locator(DIALOG).first().waitFor({ state: 'visible', timeout: timeoutMs }),
    async () => `the screen shows: ${(await workbenchText(page)).slice(0, 400)}`,
  );
  return page.evaluate((sel: string) => {
    const box = document.querySelector(sel);
    return {
      message: String(box?.querySelector('.dialog-message-text')?.innerText ?? ''),
      detail: String(box?.querySelector('.dialog-message-detail')?.innerText ?? ''),
      buttons: [...(box?.querySelectorAll('.dialog-buttons .monaco-button') ?? [])].map(
        (b: { textContent: string | null }) => String(b.textContent ?? '').trim(),
      ),
    };
  }, DIALOG);
}

/** Presses a button of the open modal dialog and waits for the dialog to close. */
export async function pressDialogButton(page: Page, button: string, timeoutMs: number): Promise<void> {
  const box = page.locator(DIALOG).first();
  const target = box
    .locator('.dialog-buttons .monaco-button')
    .filter({ hasText: new RegExp(`^\\s*${escape(button)}\\s*$`) })
    .first();
  await waiting(`the dialog button "${button}"`, target.waitFor({ state: 'visible', timeout: timeoutMs }));
  try {
    await target.click({ timeout: 5000 });
  } catch {
    // Something covers the button: the keyboard reaches it (Tab order starts at the first button).
    await target.focus();
    await page.keyboard.press('Enter');
  }
  await waiting('the dialog to close', page.locator(DIALOG).first().waitFor({ state: 'hidden', timeout: timeoutMs }));
}

/**
 * Waits for a notification toast whose text contains `contains` (every one of the strings, if an
 * array) and returns its message (for a progress notification: "title: message") and buttons.
 */
export async function waitForToast(
  page: Page,
  contains: string | string[],
  timeoutMs: number,
): Promise<NotificationSeen> {
  const wanted = Array.isArray(contains) ? contains : [contains];
  const handle = await waiting(
    `a notification with "${wanted.join('" and "')}"`,
    page.waitForFunction(
      ({ sel, want }: { sel: string; want: string[] }) => {
        for (const toast of document.querySelectorAll(sel)) {
          const text = String(toast.textContent ?? '').replace(/\u00a0/g, ' ');
          if (want.every((w: string) => text.includes(w))) {
            return {
              text: String(toast.querySelector('.notification-list-item-message')?.textContent ?? text),
              buttons: [...toast.querySelectorAll('.monaco-button')].map((b: { textContent: string | null }) =>
                String(b.textContent ?? '').trim(),
              ),
            };
          }
        }
        return undefined;
      },
      { sel: TOAST, want: wanted },
      { timeout: timeoutMs },
    ),
    async () => `toasts: ${await toastTexts(page)}`,
  );
  const seen = (await handle.jsonValue()) as NotificationSeen;
  return { text: oneLine(seen.text), buttons: seen.buttons };
}

/** The text of every notification toast shown, for failure messages. */
export async function toastTexts(page: Page): Promise<string> {
  return page
    .evaluate(
      (sel: string) =>
        [...document.querySelectorAll(sel)]
          .map((t: { textContent: string | null }) => String(t.textContent ?? ''))
          .join(' | ') || '(none)',
      TOAST,
    )
    .catch(() => '(no page)');
}

/** Presses a button of the notification toast whose text contains `contains`. */
export async function pressToastButton(page: Page, contains: string, button: string, timeoutMs: number): Promise<void> {
  const target = page
    .locator(TOAST)
    .filter({ hasText: contains })
    .first()
    .locator('.monaco-button')
    .filter({ hasText: new RegExp(`^\\s*${escape(button)}\\s*$`) })
    .first();
  await waiting(
    `the button "${button}" of the notification "${contains}"`,
    target.waitFor({ state: 'visible', timeout: timeoutMs }),
    async () => `toasts: ${await toastTexts(page)}`,
  );
  await target.click({ timeout: timeoutMs });
}

/**
 * Command palette (F1): runs the command whose label contains `label`, then waits for the quick
 * pick it opens, recognised by its placeholder containing `placeholder`. (lib/workbench.ts's
 * runCommand waits for the palette to close, which a command that opens a quick pick at once can
 * beat: the same widget shows again.)
 */
export async function runCommandToQuickPick(
  page: Page,
  label: string,
  placeholder: string,
  timeoutMs: number,
): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await waiting('the command palette to show', input.waitFor({ state: 'visible', timeout: timeoutMs }));
  await page.keyboard.type(label);
  const short = label.includes(':') ? label.slice(label.indexOf(':') + 1).trim() : label;
  await waiting(
    `the command palette to list "${label}"`,
    page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ hasText: short })
      .first()
      .waitFor({ timeout: timeoutMs }),
  );
  await page.keyboard.press('Enter');
  await waitForQuickPick(page, placeholder, timeoutMs);
}

/** Waits for a quick pick whose placeholder contains `placeholder`. */
export async function waitForQuickPick(page: Page, placeholder: string, timeoutMs: number): Promise<void> {
  await waiting(
    `a quick pick asking "${placeholder}"`,
    page.waitForFunction(
      (want: string) => {
        const widget = document.querySelector('.quick-input-widget');
        if (!widget || widget.style.display === 'none') return false;
        const input = widget.querySelector('input');
        return String(input?.getAttribute('placeholder') ?? input?.getAttribute('aria-label') ?? '').includes(want);
      },
      placeholder,
      { timeout: timeoutMs },
    ),
    async () =>
      `quick input: ${await page.evaluate(() => {
        const input = document.querySelector('.quick-input-widget input');
        return `placeholder "${input?.getAttribute('placeholder')}", rows: ${String(document.querySelector('.quick-input-list')?.textContent ?? '')}`;
      })}`,
  );
}

/** In the open quick pick: types `item`, waits until the focused row is it, presses Enter. Returns the rows shown before typing. */
export async function pickQuickPickItem(page: Page, item: string, timeoutMs: number): Promise<string[]> {
  const rows = await page.locator('.quick-input-list .monaco-list-row').allTextContents();
  await page.keyboard.type(item);
  await waiting(
    `the quick pick to focus "${item}"`,
    page.waitForFunction(
      (want: string) =>
        String(document.querySelector('.quick-input-list .monaco-list-row.focused')?.textContent ?? '').includes(want),
      item,
      { timeout: timeoutMs },
    ),
  );
  await page.keyboard.press('Enter');
  return rows.map(oneLine);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
