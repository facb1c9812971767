import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { takeOriginAnnotations } from '../engine/workspace/originAnnotations';
import type { RenderOutcome, RenderRequest, SourceRenderer } from '../engine/workspace/renderedSources';
import { DEFAULT_TOOL_TIMEOUT_SECONDS } from '../engine/files/fileSize';

/**
 * Renders Kustomize and Helm sources with the user's own tools: a child process started with an
 * argument array (never a shell), a timeout, an output limit and a cancel signal, never blocking the
 * caller's thread. Used by the CLI and, in a trusted workspace only, the server.
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

export const DEFAULT_TIMEOUT_MS = DEFAULT_TOOL_TIMEOUT_SECONDS * 1000;
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** How much of a failing tool's error output a diagnostic shows. */
const MAX_ERROR_CHARS = 2_000;

/** The command line a request runs, or why there is none. */
export type ToolCommand = { command: string; args: string[]; cwd: string } | { missing: string };

export class ToolRenderer implements SourceRenderer {
  constructor(private readonly options: ToolOptions = {}) {}

  /** Which executable and arguments render the request (nothing is run). */
  commandFor(request: RenderRequest): ToolCommand {
    const env = this.options.env ?? process.env;
    if (request.tool === 'kustomize') {
      const configured = this.options.kustomize?.trim();
      const command = configured
        ? findExecutable(configured, env)
        : (findExecutable('kustomize', env) ?? findExecutable('kubectl', env));
      if (!command) {
        return {
          missing: configured
            ? `the Kustomize tool "${configured}" was not found`
            : 'neither kustomize nor kubectl was found on PATH (setting consolidation.tools.kustomize, flag --kustomize)',
        };
      }
      const args =
        path.basename(command).replace(/\.exe$/i, '') === 'kubectl'
          ? ['kustomize', request.dir]
          : ['build', request.dir];
      return { command, args, cwd: request.cwd ?? request.dir };
    }
    const configured = this.options.helm?.trim();
    const command = findExecutable(configured || 'helm', env);
    if (!command)
      return {
        missing: `${configured ? `the Helm tool "${configured}"` : 'helm'} was not found on PATH (setting consolidation.tools.helm, flag --helm)`,
      };
    const args = ['template', request.releaseName, request.chart];
    for (const file of request.values) args.push('--values', file);
    for (const [key, value] of Object.entries(request.set))
      args.push('--set', `${key}=${value.replace(/\\/g, '\\\\').replace(/,/g, '\\,')}`);
    if (request.namespace) args.push('--namespace', request.namespace);
    return { command, args, cwd: path.dirname(request.chart) };
  }

  async render(request: RenderRequest, signal?: AbortSignal): Promise<RenderOutcome> {
    const limits = {
      env: this.options.env ?? process.env,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxOutputBytes: this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      signal,
    };
    const wrapper = request.tool === 'kustomize' ? originWrapper(request.dir) : undefined;
    try {
      const tool = this.commandFor(
        wrapper && request.tool === 'kustomize' ? { tool: 'kustomize', dir: wrapper.dir, cwd: request.dir } : request,
      );
      if ('missing' in tool) return { ok: false, reason: 'missing', message: tool.missing };
      const outcome = await runTool(tool, limits);
      if (outcome.ok && wrapper) return { ...outcome, ...takeOriginAnnotations(outcome.yaml, wrapper.dir) };
      // The build through our kustomization failed: build the user's folder as it is, so the outcome
      // (and the error the user reads, with their own paths) is exactly what their own build gives.
      const direct = !outcome.ok && outcome.reason === 'failed' && wrapper ? this.commandFor(request) : undefined;
      return direct && !('missing' in direct) ? await runTool(direct, limits) : outcome;
    } finally {
      if (wrapper) fs.rmSync(wrapper.dir, { recursive: true, force: true });
    }
  }
}

/**
 * Kustomize names each object's file (`config.kubernetes.io/origin`) only when asked
 * (`buildMetadata: [originAnnotations]`). The user's files are left alone: the build goes through a
 * kustomization of ours, in a fresh temporary folder outside the workspace, whose one resource is the
 * user's folder (relative: Kustomize refuses absolute paths there; a folder is a new root, so the
 * load restrictor allows it). The annotations are taken out of the output again. Not when the user's
 * kustomization asks for them itself (their build has them, so ours keeps them), nor when no relative
 * path leads there (another drive).
 */
function originWrapper(dir: string): { dir: string } | undefined {
  const own = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((name) => readText(path.join(dir, name)))
    .find((text) => text !== undefined);
  if (own === undefined || /originAnnotations/.test(own)) return undefined;
  const wrapper = fs.mkdtempSync(path.join(os.tmpdir(), 'consolidation-kustomize-'));
  const relative = path.relative(wrapper, dir).split(path.sep).join('/');
  if (path.isAbsolute(relative)) {
    fs.rmSync(wrapper, { recursive: true, force: true });
    return undefined;
  }
  const text = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    `  - ${JSON.stringify(relative)}`,
    'buildMetadata: [originAnnotations]',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(wrapper, 'kustomization.yaml'), text, { flag: 'wx' });
  return { dir: wrapper };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Runs one tool and collects its output. The process is killed (SIGKILL) when it runs over the
 * timeout, prints over the limit, or the signal aborts; the outcome says which.
 */
function runTool(
  tool: { command: string; args: string[]; cwd: string },
  limits: { env: NodeJS.ProcessEnv; timeoutMs: number; maxOutputBytes: number; signal?: AbortSignal },
): Promise<RenderOutcome> {
  const shown = `${path.basename(tool.command)} ${tool.args[0]}`;
  if (limits.signal?.aborted)
    return Promise.resolve({ ok: false, reason: 'cancelled', message: `${shown}: cancelled` });
  return new Promise((resolve) => {
    const started = Date.now();
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let stopped: RenderOutcome | undefined;
    let settled = false;
    const child = spawn(tool.command, tool.args, {
      cwd: tool.cwd,
      env: limits.env,
      shell: false,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stop = (outcome: RenderOutcome) => {
      stopped ??= outcome;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () =>
        stop({
          ok: false,
          reason: 'timeout',
          message: `${shown} did not finish in ${Math.round(limits.timeoutMs / 1000)} s: stopped`,
        }),
      limits.timeoutMs,
    );
    const onAbort = () => stop({ ok: false, reason: 'cancelled', message: `${shown}: cancelled` });
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (outcome: RenderOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (stopped) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > limits.maxOutputBytes) {
        stop({
          ok: false,
          reason: 'too-large',
          message: `${shown} printed over ${Math.round(limits.maxOutputBytes / 1024 / 1024)} MiB: stopped`,
        });
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_ERROR_CHARS * 2) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) =>
      finish(stopped ?? { ok: false, reason: 'failed', message: `${shown}: ${error.message}` }),
    );
    child.on('close', (code, signal) => {
      if (stopped) return finish(stopped);
      if (code !== 0) {
        const text = stderr.trim().slice(0, MAX_ERROR_CHARS);
        return finish({
          ok: false,
          reason: 'failed',
          message: `${shown} exited with ${code ?? signal}${text ? `: ${text}` : ''}`,
        });
      }
      finish({ ok: true, yaml: Buffer.concat(stdout).toString('utf8'), millis: Date.now() - started });
    });
  });
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
