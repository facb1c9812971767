import { DEFAULT_TOOL_TIMEOUT_SECONDS } from '../engine/files/fileSize';
import { UsageError } from './usageError';

/** Flags of the commands that read a plan's Kustomize and Helm sources. */
export const TOOL_FLAGS = {
  kustomize: { type: 'string' },
  helm: { type: 'string' },
  'tool-timeout': { type: 'string' },
} as const;

export const TOOL_USAGE = `      --kustomize PATH           Kustomize tool for {kustomize: DIR} sources (default: kustomize, else kubectl)
      --helm PATH                Helm tool for {helm: ...} sources (default: helm)
      --tool-timeout SECONDS     Stop a render after this long (default ${DEFAULT_TOOL_TIMEOUT_SECONDS})`;

/** --tool-timeout in seconds (a usage error when it is not a positive number). */
export function toolTimeoutSeconds(values: Record<string, unknown>): number {
  const timeout = values['tool-timeout'] === undefined ? DEFAULT_TOOL_TIMEOUT_SECONDS : Number(values['tool-timeout']);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(`--tool-timeout must be a positive number of seconds, not "${values['tool-timeout']}"`);
  return timeout;
}
