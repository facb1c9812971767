// The server's reading of the client's settings: one severity list (the engine's) and one size default.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeSettings, toWorkspaceOptions } from '../../server/src/lsp/settings';
import { SEVERITY_SETTINGS } from '../../server/src/engine/rules/types';
import { DEFAULT_MAX_FILE_SIZE_KB } from '../../server/src/engine/files/fileSize';

describe('normalizeSettings', () => {
  it('keeps every severity the engine knows and drops the rest', () => {
    const rules: Record<string, string> = {};
    for (const severity of SEVERITY_SETTINGS) rules[`budget/${severity}`] = severity;
    const settings = normalizeSettings({ rules: { ...rules, 'budget/x': 'fatal', 'budget/y': 3 } });
    assert.deepEqual(settings.rules, rules);
  });

  it('falls back to the engine default file size when the setting is missing or not positive', () => {
    for (const maxFileSizeKb of [undefined, 0, -1, 'big']) {
      const settings = normalizeSettings({ maxFileSizeKb });
      assert.equal(settings.maxFileSizeKb, DEFAULT_MAX_FILE_SIZE_KB);
      assert.equal(toWorkspaceOptions(settings).maxFileBytes, DEFAULT_MAX_FILE_SIZE_KB * 1024);
    }
    assert.equal(normalizeSettings({ maxFileSizeKb: 10 }).maxFileSizeKb, 10);
  });
});
