import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

/**
 * The version of the engine that reads manifests, for keys of cached models: a hash of the running
 * bundle (any change of the code that builds a model is a new version, whatever the package version
 * says). `CONSOLIDATION_ENGINE_VERSION` is appended when set: tests use it to stand for an upgrade.
 */
export function engineVersion(bundle: string, packageVersion: string): string {
  let code: string;
  try {
    code = createHash('sha256').update(fs.readFileSync(bundle)).digest('hex');
  } catch {
    code = 'unknown-bundle';
  }
  const extra = process.env.CONSOLIDATION_ENGINE_VERSION;
  return `${packageVersion}+${code}${extra ? `+${extra}` : ''}`;
}
