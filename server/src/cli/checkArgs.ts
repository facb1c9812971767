import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_FILE_SIZE_KB } from '../engine/files/fileSize';
import type { RuleSettings } from '../engine/rules/registry';
import { SEVERITY_SETTINGS, type SeveritySetting } from '../engine/rules/types';
import type { WorkspaceOptions } from '../engine/workspace/consolidationWorkspace';
import { SOURCE_OPTIONS, sourceOptions } from './sourceOptions';
import { STDIN_ARG } from './stdin';
import { TOOL_FLAGS, toolTimeoutSeconds } from './toolFlags';
import { UsageError } from './usageError';

/**
 * `consolidate check`'s command line, read once for both of its paths: the launcher's warm path
 * (launch.ts, which must not load the engine) and the full check (main.ts). Both compute a run's cache key
 * from what this returns, so they can only agree.
 */
export interface CheckArgs {
  format: CheckFormat;
  /** Paths named (default `.`), without `-`. */
  paths: string[];
  fromStdin: boolean;
  /** `--cache DIR`, resolved. */
  cacheDir: string | undefined;
  options: WorkspaceOptions;
  /** The Kustomize and Helm flags, as given (checked): tools.ts reads them. */
  toolFlags: { kustomize?: string; helm?: string; 'tool-timeout'?: string };
  /** Everything besides the files that the findings depend on: the whole-result cache's key input. */
  run: unknown;
}

export type CheckFormat = 'text' | 'json' | 'sarif';

/**
 * Reads check's arguments; a {@link UsageError} when they are wrong. `isKnownCode` checks the codes of
 * `--rule`: the launcher has no rule registry and passes none, which is safe because a result is only
 * ever stored by a run that checked them (and the engine version is part of its key).
 */
export function parseCheckArgs(args: string[], cwd: string, isKnownCode?: (code: string) => boolean): CheckArgs {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      rule: { type: 'string', multiple: true, default: [] },
      'max-file-size-kb': { type: 'string' },
      ...SOURCE_OPTIONS,
      ...TOOL_FLAGS,
      cache: { type: 'string' },
    },
  });
  const format = values.format;
  if (!isCheckFormat(format)) throw new UsageError(`--format must be text, json or sarif, not "${format}"`);
  const options: WorkspaceOptions = {
    maxFileBytes: maxBytes(values['max-file-size-kb']),
    rules: parseRules(values.rule as string[], isKnownCode),
    ...sourceOptions(values, cwd),
  };
  toolTimeoutSeconds(values);
  const fromStdin = positionals.includes(STDIN_ARG);
  const named = positionals.filter((p) => p !== STDIN_ARG);
  const paths = named.length || fromStdin ? named : ['.'];
  const toolFlags = { kustomize: values.kustomize, helm: values.helm, 'tool-timeout': values['tool-timeout'] };
  return {
    format,
    paths,
    fromStdin,
    cacheDir: values.cache === undefined ? undefined : path.resolve(cwd, values.cache),
    options,
    toolFlags,
    run: { cwd, paths, options, tools: [values.kustomize, values.helm, values['tool-timeout']] },
  };
}

function isCheckFormat(format: string): format is CheckFormat {
  return format === 'text' || format === 'json' || format === 'sarif';
}

const SEVERITIES = new Set<string>(SEVERITY_SETTINGS);

function parseRules(entries: string[], isKnownCode: ((code: string) => boolean) | undefined): RuleSettings {
  const settings: Record<string, SeveritySetting> = {};
  for (const entry of entries) {
    const [code, severity] = entry.split('=');
    if (!code || !severity || !SEVERITIES.has(severity))
      throw new UsageError(`--rule expects CODE=SEVERITY, not "${entry}"`);
    if (isKnownCode && !isKnownCode(code)) throw new UsageError(`--rule: unknown code "${code}"`);
    settings[code] = severity as SeveritySetting;
  }
  return settings;
}

function maxBytes(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_FILE_SIZE_KB * 1024;
  const kb = Number(value);
  if (!Number.isFinite(kb) || kb <= 0)
    throw new UsageError(`--max-file-size-kb must be a positive number, not "${value}"`);
  return Math.floor(kb * 1024);
}
