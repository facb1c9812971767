import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RenderOutcome, RenderRequest, SourceRenderer } from '../engine/workspace/renderedSources';

/**
 * Renders Kustomize and Helm sources with the user's own tools: an argument array (never a shell),
 * a timeout and an output limit. Used by the CLI and, in a trusted workspace only, the server.
 */
export interface ToolOptions {
  /** A path or a name on PATH; empty: `kustomize`, else `kubectl` (as `kubectl kustomize`). */
  kustomize?: string;
  /** A path or a name on PATH; empty: `helm`. */
  helm?: string;
  timeoutMs?: number;
  maxOutputBytes?: number;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** How much of a failing tool's error output a diagnostic shows. */
const MAX_ERROR_CHARS = 2_000;

export class ToolRenderer implements SourceRenderer {
  constructor(private readonly options: ToolOptions = {}) {}

  render(request: RenderRequest): RenderOutcome {
    const env = this.options.env ?? process.env;
    let command: string | undefined;
    let args: string[];
    if (request.tool === 'kustomize') {
      const configured = this.options.kustomize?.trim();
      command = configured ? findExecutable(configured, env) : findExecutable('kustomize', env) ?? findExecutable('kubectl', env);
      if (!command) {
        return { ok: false, reason: 'missing', message: configured ? `the Kustomize tool "${configured}" was not found` : 'neither kustomize nor kubectl was found on PATH (setting consolidation.tools.kustomize, flag --kustomize)' };
      }
      args = path.basename(command).replace(/\.exe$/i, '') === 'kubectl' ? ['kustomize', request.dir] : ['build', request.dir];
    } else {
      const configured = this.options.helm?.trim();
      command = findExecutable(configured || 'helm', env);
      if (!command) return { ok: false, reason: 'missing', message: `${configured ? `the Helm tool "${configured}"` : 'helm'} was not found on PATH (setting consolidation.tools.helm, flag --helm)` };
      args = ['template', request.releaseName, request.chart];
      for (const file of request.values) args.push('--values', file);
      for (const [key, value] of Object.entries(request.set)) args.push('--set', `${key}=${value.replace(/\\/g, '\\\\').replace(/,/g, '\\,')}`);
      if (request.namespace) args.push('--namespace', request.namespace);
    }
    const maxBuffer = this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const timeout = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = Date.now();
    const run = spawnSync(command, args, {
      cwd: request.tool === 'kustomize' ? request.dir : path.dirname(request.chart),
      env,
      encoding: 'utf8',
      timeout,
      maxBuffer,
      killSignal: 'SIGKILL',
      shell: false,
      windowsHide: true,
    });
    const millis = Date.now() - started;
    const shown = `${path.basename(command)} ${args[0]}`;
    const error = run.error as NodeJS.ErrnoException | undefined;
    if (error?.code === 'ENOBUFS') return { ok: false, reason: 'too-large', message: `${shown} printed over ${Math.round(maxBuffer / 1024 / 1024)} MiB: stopped` };
    if (error?.code === 'ETIMEDOUT' || (run.signal && millis >= timeout)) return { ok: false, reason: 'timeout', message: `${shown} did not finish in ${Math.round(timeout / 1000)} s: stopped` };
    if (error) return { ok: false, reason: 'failed', message: `${shown}: ${error.message}` };
    if (run.status !== 0) {
      const stderr = (run.stderr ?? '').trim().slice(0, MAX_ERROR_CHARS);
      return { ok: false, reason: 'failed', message: `${shown} exited with ${run.status ?? run.signal}${stderr ? `: ${stderr}` : ''}` };
    }
    return { ok: true, yaml: run.stdout ?? '', millis };
  }
}

/** An absolute path, or the first executable of that name on PATH (no shell, no `which`). */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const executable = (file: string) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes('/') || name.includes('\\')) return executable(path.resolve(name)) ? path.resolve(name) : undefined;
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) if (executable(path.join(dir, name + ext))) return path.join(dir, name + ext);
  }
  return undefined;
}
