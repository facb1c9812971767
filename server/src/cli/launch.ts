import * as path from 'node:path';
import { engineVersion } from '../engine/workspace/engineVersion';
import { parseCheckArgs } from './checkArgs';
import { checkResultKey, printCheck, storedCheck, type PrintedCheck } from './checkResult';
import { errorSentence } from './errorSentence';

/**
 * The `consolidate` process (dist/cli.js). It is small on purpose: loading the engine (dist/consolidate.js,
 * 1.3 MB of code to compile and run) costs a warm `check --cache` more than everything else it does. So
 * the launcher answers that one case itself, reading the stored result with the same argument parser,
 * key and cache code the engine uses, and loads the engine for everything else (including a result that
 * is missing or no longer holds).
 */

declare const CLI_VERSION: string | undefined;
const VERSION = typeof CLI_VERSION === 'string' ? CLI_VERSION : '0.0.0-dev';

/** The engine's bundle, built beside this one; its hash is the engine version in cache keys. */
const ENGINE = path.join(__dirname, 'consolidate.js');

/** What `check --cache` prints from a stored result that still holds, or undefined. */
function printedFromStore(argv: string[], cwd: string): PrintedCheck | undefined {
  if (argv[0] !== 'check') return undefined;
  let args;
  try {
    args = parseCheckArgs(argv.slice(1), cwd);
  } catch {
    // The engine says what is wrong with the command line, with the usage text.
    return undefined;
  }
  if (args.cacheDir === undefined || args.fromStdin) return undefined;
  const key = checkResultKey(args, engineVersion(ENGINE, VERSION));
  const result = storedCheck(args.cacheDir, key);
  return result && printCheck(result, args.format, VERSION);
}

function launch(argv: string[]): void {
  // Whatever escapes (a late stream error, a rejected promise) is still a sentence and exit 2.
  const fatal = (error: unknown) => {
    // A reader that went away (`consolidate check | head`) is not an error worth a message.
    if ((error as { code?: string }).code === 'EPIPE') process.exit(0);
    process.stderr.write(`consolidate: ${errorSentence(error)}\n`, () => process.exit(2));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  const stored = printedFromStore(argv, process.cwd());
  let status: Promise<number>;
  if (stored) {
    process.stdout.write(stored.text);
    status = Promise.resolve(stored.status);
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when needed, by path
    const engine = require(ENGINE) as typeof import('./main');
    status = engine.main(argv, process.cwd(), process.stdout, process.stderr, process.stdin, true);
  }
  void status.then((code) => {
    // Let stdout drain before exiting (large JSON output to a pipe).
    process.stdout.write('', () => process.exit(code));
  });
}

launch(process.argv.slice(2));
