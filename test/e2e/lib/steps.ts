import type { Page } from 'playwright-core';
import type { Browser } from './browser';
import { rel, type Results } from './results';
import { workbenchText } from './workbench';

/** One thing a person does in the UI, screenshotted when it is done. */
export interface UiStep {
  name: string;
  title: string;
  run: (page: Page) => Promise<void>;
}

export interface RunStepsOptions {
  /** How many lines of a failure's message to keep (default 6). */
  errorLines?: number;
  /** Whether a failed step leaves the rest unable to run (default: always). */
  blocksRest?: (page: Page) => Promise<boolean>;
}

/**
 * Runs the steps in order: a screenshot after each, a screenshot and the screen's text on a failure,
 * and the steps after a blocking failure reported as not run. Returns the blocking step's name.
 */
export async function runUiSteps(
  browser: Browser,
  steps: UiStep[],
  results: Results,
  options: RunStepsOptions = {},
): Promise<string | undefined> {
  let blocked: string | undefined;
  for (const step of steps) {
    if (blocked) {
      results.add({ state: 'failed', title: `${step.title} (not run: step "${blocked}" failed)` });
      continue;
    }
    const t0 = Date.now();
    try {
      await step.run(browser.page);
      results.add({ state: 'passed', title: step.title, durationMs: Date.now() - t0 });
      await browser.shot(step.name);
    } catch (err) {
      const shot = await browser.shot(`${step.name}-FAILED`);
      results.add({
        state: 'failed',
        title: step.title,
        durationMs: Date.now() - t0,
        error: `${(err as Error).message
          .split('\n')
          .slice(0, options.errorLines ?? 6)
          .join(
            '\n',
          )}${shot ? `\nscreenshot: ${rel(shot)}` : ''}\nscreen text: ${(await workbenchText(browser.page)).slice(0, 600)}`,
      });
      if (!options.blocksRest || (await options.blocksRest(browser.page))) blocked = step.name;
    }
  }
  return blocked;
}
