// The extension's commands are one table (client/src/commands.ts, createCommands()) over ids defined
// once (server/src/protocol/commands.ts). package.json must contribute exactly the ids a user can
// run, each with a handler, and the trusted-only ones must be disabled in untrusted workspaces.
// The table imports vscode, so it is read as source here; the compiler already checks that it has
// an entry for every id (Record<CommandId, CommandFactory>).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS, INTERNAL_COMMANDS } from '../../server/src/protocol/commands';

const ROOT = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: Array<{ command: string; enablement?: string }>;
    menus?: Record<string, Array<{ command: string }>>;
  };
};
const contributed = manifest.contributes.commands;
const source = fs.readFileSync(path.join(ROOT, 'client/src/commands.ts'), 'utf8');
const table = source.slice(
  source.indexOf('export function createCommands()'),
  source.indexOf('export function registerCommands('),
);

/** The table's entries: command name -> its trusted flag, read from `[COMMANDS.name]: { trusted: ... }`. */
function tableEntries(): Map<string, boolean> {
  const entries = new Map<string, boolean>();
  for (const match of table.matchAll(/\[COMMANDS\.(\w+)\]:\s*\{\s*trusted:\s*(true|false)/g)) {
    assert.ok(!entries.has(match[1]), `COMMANDS.${match[1]} has two entries in createCommands()`);
    entries.set(match[1], match[2] === 'true');
  }
  return entries;
}

const idOf = (name: string) => (COMMANDS as Record<string, string>)[name];

describe('command table and package.json', () => {
  it('the table was found and has entries (the test reads the right source)', () => {
    assert.ok(tableEntries().size >= 10, `entries found: ${[...tableEntries().keys()].join(', ')}`);
  });

  it('every id of COMMANDS has exactly one handler in createCommands(), and the table names no other', () => {
    const entries = tableEntries();
    assert.deepEqual([...entries.keys()].sort(), Object.keys(COMMANDS).sort());
  });

  it('every command package.json contributes has a handler, and every handler but the internal ones is contributed', () => {
    const handled = new Set([...tableEntries().keys()].map(idOf));
    const ids = contributed.map((c) => c.command);
    assert.deepEqual(
      ids.filter((id) => !handled.has(id)),
      [],
      'contributed without a handler',
    );
    const internal = new Set<string>(INTERNAL_COMMANDS);
    assert.deepEqual(
      [...handled].filter((id) => !internal.has(id) && !ids.includes(id)),
      [],
      'handled but not contributed',
    );
    assert.deepEqual(
      ids.filter((id) => internal.has(id)),
      [],
      'internal commands are not contributed',
    );
  });

  it('menus name only contributed commands', () => {
    const ids = new Set(contributed.map((c) => c.command));
    for (const [menu, items] of Object.entries(manifest.contributes.menus ?? {})) {
      for (const item of items)
        assert.ok(ids.has(item.command), `${menu} names ${item.command}, which is not contributed`);
    }
  });

  it("a trusted-only command is disabled in untrusted workspaces by package.json's enablement, and only those", () => {
    for (const [name, trusted] of tableEntries()) {
      const entry = contributed.find((c) => c.command === idOf(name));
      if (!entry) continue;
      assert.equal(
        /\bisWorkspaceTrusted\b/.test(entry.enablement ?? ''),
        trusted,
        `${entry.command}: trusted ${trusted}, enablement ${entry.enablement ?? '(none)'}`,
      );
    }
  });

  it('no command id is written as a string literal in client/src outside the table of ids', () => {
    const literal = /['"`]consolidation\.(\w+)['"`]/g;
    const ids = new Set<string>(Object.values(COMMANDS));
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.ts'))
          for (const match of fs.readFileSync(file, 'utf8').matchAll(literal))
            if (ids.has(match[0].slice(1, -1))) offenders.push(`${path.relative(ROOT, file)}: ${match[0]}`);
      }
    };
    walk(path.join(ROOT, 'client/src'));
    assert.deepEqual(offenders, []);
  });
});
