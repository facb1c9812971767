// Runs the built CLI (dist/cli.js) as a child process, the way a user or a CI job does.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const SERVER = path.join(ROOT, 'dist/server.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Kills the process and fails after this long: a hang guard, not a timing assertion. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Options for node itself, before the script (e.g. `--require` a probe). */
  nodeArgs?: string[];
}

/** Fails early with a clear message when `npm run build` has not been run. */
export function assertBuilt(): void {
  for (const file of [CLI, SERVER]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run build\` first`);
  }
}

/** `node dist/cli.js ...args` in `cwd`; resolves when the process has exited and its pipes are closed. */
export function runCli(args: string[], options: RunOptions): Promise<CliResult> {
  assertBuilt();
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`consolidate ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close' (not 'exit'): every byte written to stdout and stderr has been read.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

/** Parses stdout as JSON, with the output in the error when it is not. */
export function parseJsonOutput<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch (error) {
    throw new Error(
      `stdout is not JSON (${(error as Error).message}); exit ${result.code}\n--- stdout (${result.stdout.length} chars, tail) ---\n${result.stdout.slice(-2000)}\n--- stderr ---\n${result.stderr}`,
      { cause: error },
    );
  }
}
