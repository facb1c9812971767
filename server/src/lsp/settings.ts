import type { RuleSettings } from '../engine/rules/registry';
import { SEVERITY_SETTINGS, type SeveritySetting } from '../engine/rules/types';
import type { WorkspaceOptions } from '../engine/workspace/consolidationWorkspace';
import { DEFAULT_SOURCE_LIMITS } from '../engine/workspace/consolidationWorkspace';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from '../protocol/messages';

/** `consolidation.sources.*` when unset: the engine's limits. */
const DEFAULT_SOURCE_SETTINGS = {
  allowOutsideWorkspace: false,
  maxFiles: DEFAULT_SOURCE_LIMITS.maxFiles,
  maxSizeMb: DEFAULT_SOURCE_LIMITS.maxBytes / 1024 / 1024,
};

const SEVERITIES = new Set<string>(SEVERITY_SETTINGS);

/** Accepts whatever the client sends; anything malformed falls back to the default. */
export function normalizeSettings(raw: unknown): ServerSettings {
  const value = (raw && typeof raw === 'object' ? raw : {}) as Partial<ServerSettings>;
  const rules: Record<string, string> = {};
  if (value.rules && typeof value.rules === 'object') {
    for (const [code, severity] of Object.entries(value.rules))
      if (typeof severity === 'string' && SEVERITIES.has(severity)) rules[code] = severity;
  }
  const size = Number(value.maxFileSizeKb);
  return {
    rules,
    maxFileSizeKb: Number.isFinite(size) && size > 0 ? size : DEFAULT_SERVER_SETTINGS.maxFileSizeKb,
    codeLens: { enabled: value.codeLens?.enabled !== false },
    generatedDirectory:
      typeof value.generatedDirectory === 'string' &&
      value.generatedDirectory.trim() &&
      !value.generatedDirectory.includes('..')
        ? value.generatedDirectory.trim()
        : DEFAULT_SERVER_SETTINGS.generatedDirectory,
    sources: normalizeSources(value.sources),
    tools: {
      kustomize: typeof value.tools?.kustomize === 'string' ? value.tools.kustomize.trim() : '',
      helm: typeof value.tools?.helm === 'string' ? value.tools.helm.trim() : '',
      ...(typeof value.tools?.timeoutSeconds === 'number' &&
      Number.isFinite(value.tools.timeoutSeconds) &&
      value.tools.timeoutSeconds > 0
        ? { timeoutSeconds: value.tools.timeoutSeconds }
        : {}),
    },
  };
}

function normalizeSources(raw: unknown): NonNullable<ServerSettings['sources']> {
  const value = (raw && typeof raw === 'object' ? raw : {}) as Partial<NonNullable<ServerSettings['sources']>>;
  const positive = (n: unknown, fallback: number) =>
    typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
  return {
    allowOutsideWorkspace: value.allowOutsideWorkspace === true,
    maxFiles: Math.floor(positive(value.maxFiles, DEFAULT_SOURCE_SETTINGS.maxFiles)),
    maxSizeMb: positive(value.maxSizeMb, DEFAULT_SOURCE_SETTINGS.maxSizeMb),
  };
}

/** The engine's options; `folders`: the workspace folders a plan's sources must stay inside. */
export function toWorkspaceOptions(settings: ServerSettings, folders: readonly string[] = []): WorkspaceOptions {
  const sources = settings.sources ?? DEFAULT_SOURCE_SETTINGS;
  return {
    maxFileBytes: Math.floor(settings.maxFileSizeKb * 1024),
    rules: settings.rules as Record<string, SeveritySetting> as RuleSettings,
    sourceRoots: sources.allowOutsideWorkspace ? undefined : [...folders],
    sourceLimits: { maxFiles: sources.maxFiles, maxBytes: Math.floor(sources.maxSizeMb * 1024 * 1024) },
  };
}
