// The server's reading of the client's settings: one severity list (the engine's) and one size default.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { normalizeSettings, toWorkspaceOptions } from '../../server/src/lsp/settings';
import { SEVERITY_SETTINGS } from '../../server/src/engine/rules/types';
import { DEFAULT_MAX_FILE_SIZE_KB } from '../../server/src/engine/files/fileSize';
import { DEFAULT_SERVER_SETTINGS } from '../../server/src/protocol/messages';

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

describe('package.json settings', () => {
  // VS Code reads the defaults and the severity list from package.json (JSON, which cannot import):
  // they must say what the code's one definition says.
  const properties = (
    JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
      contributes: {
        configuration: {
          properties: Record<string, { default?: unknown; additionalProperties?: { enum?: string[] } }>;
        };
      };
    }
  ).contributes.configuration.properties;

  it('declares the engine default file size, code lens and generated folder', () => {
    assert.equal(properties['consolidation.maxFileSizeKb'].default, DEFAULT_MAX_FILE_SIZE_KB);
    assert.equal(properties['consolidation.maxFileSizeKb'].default, DEFAULT_SERVER_SETTINGS.maxFileSizeKb);
    assert.equal(properties['consolidation.codeLens.enabled'].default, DEFAULT_SERVER_SETTINGS.codeLens.enabled);
    assert.equal(properties['consolidation.generatedDirectory'].default, DEFAULT_SERVER_SETTINGS.generatedDirectory);
    assert.equal(properties['consolidation.sources.maxFiles'].default, DEFAULT_SERVER_SETTINGS.sources.maxFiles);
    assert.equal(properties['consolidation.sources.maxSizeMb'].default, DEFAULT_SERVER_SETTINGS.sources.maxSizeMb);
    assert.equal(
      properties['consolidation.sources.allowOutsideWorkspace'].default,
      DEFAULT_SERVER_SETTINGS.sources.allowOutsideWorkspace,
    );
    assert.equal(properties['consolidation.tools.timeout'].default, DEFAULT_SERVER_SETTINGS.tools.timeoutSeconds);
  });

  it('offers exactly the engine severities for a rule', () => {
    assert.deepEqual(properties['consolidation.rules'].additionalProperties?.enum, [...SEVERITY_SETTINGS]);
  });
});
