import type { RuleSettings } from '../engine/rules/registry';
import type { SeveritySetting } from '../engine/rules/types';
import type { WorkspaceOptions } from '../engine/workspace/consolidationWorkspace';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from '../protocol/messages';

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

/** Accepts whatever the client sends; anything malformed falls back to the default. */
export function normalizeSettings(raw: unknown): ServerSettings {
  const value = (raw && typeof raw === 'object' ? raw : {}) as Partial<ServerSettings>;
  const rules: Record<string, string> = {};
  if (value.rules && typeof value.rules === 'object') {
    for (const [code, severity] of Object.entries(value.rules)) if (typeof severity === 'string' && SEVERITIES.has(severity)) rules[code] = severity;
  }
  const size = Number(value.maxFileSizeKb);
  return {
    rules,
    maxFileSizeKb: Number.isFinite(size) && size > 0 ? size : DEFAULT_SERVER_SETTINGS.maxFileSizeKb,
    codeLens: { enabled: value.codeLens?.enabled !== false },
    generatedDirectory: typeof value.generatedDirectory === 'string' && value.generatedDirectory.trim() && !value.generatedDirectory.includes('..')
      ? value.generatedDirectory.trim()
      : DEFAULT_SERVER_SETTINGS.generatedDirectory,
    tools: {
      kustomize: typeof value.tools?.kustomize === 'string' ? value.tools.kustomize.trim() : '',
      helm: typeof value.tools?.helm === 'string' ? value.tools.helm.trim() : '',
    },
  };
}

export function toWorkspaceOptions(settings: ServerSettings): WorkspaceOptions {
  return { maxFileBytes: Math.floor(settings.maxFileSizeKb * 1024), rules: settings.rules as Record<string, SeveritySetting> as RuleSettings };
}
