import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import { PLAN_FORMAT_DOC, ruleTable, withGeneratedTable } from '../../scripts/rule-docs';

describe('docs/plan-format.md and the rule registry', () => {
  const doc = fs.readFileSync(PLAN_FORMAT_DOC, 'utf8');

  it('has the generated rule table as the registry would write it (run `npm run docs` when this fails)', () => {
    assert.equal(withGeneratedTable(doc), doc);
  });

  it('lists every registered code once in the table', () => {
    const table = ruleTable();
    for (const rule of ALL_RULES) assert.equal(table.split(`| \`${rule.code}\` |`).length, 2, rule.code);
  });

  it('explains every registered code in its own paragraph', () => {
    const missing = ALL_RULES.filter((rule) => !doc.includes(`**\`${rule.code}\`**`)).map((rule) => rule.code);
    assert.deepEqual(missing, [], 'codes with no **`code`** paragraph in docs/plan-format.md');
  });

  it('documents no code that is not registered', () => {
    const known = new Set(ALL_RULES.map((rule) => rule.code));
    const documented = [...doc.matchAll(/^\*\*`([a-z]+\/[a-z0-9-]+)`\*\*/gm)].map((m) => m[1]!);
    assert.deepEqual(
      documented.filter((code) => !known.has(code)),
      [],
    );
  });
});
