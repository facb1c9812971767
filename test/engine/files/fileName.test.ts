// toFileName: the one way plan names become file names. Whatever the name, the result is one safe
// path segment, and different names give different files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FolderEntries, toFileName } from '../../../server/src/engine/files/fileName';

const HOSTILE = [
  '',
  '.',
  '..',
  '../..',
  '../../manifests/shop',
  '/etc/passwd',
  'a/b',
  'a\\b',
  'C:\\Windows',
  'a\0b',
  ' ',
  '...',
  '-',
  '.hidden',
  'CON',
  'con',
  'nul.yaml',
  'Com1',
  'LPT9',
  'Shop',
  'shop ',
  'café',
  'cafe\u0301',
  '服务',
  '🙂',
  'a'.repeat(300),
  'é'.repeat(300),
  'x\ny',
  'name:with:colons',
  'star*?<>|"',
  '%2e%2e%2f',
];

describe('toFileName', () => {
  it('keeps a name that is already a safe file name', () => {
    for (const name of ['shop', 'merge-apps', 'api.v2', 'a_b', '01-one']) assert.equal(toFileName(name), name);
  });

  it('never gives a separator, ".", "..", a hidden or empty name, a device name or more than 100 bytes', () => {
    for (const name of HOSTILE) {
      const file = toFileName(name);
      assert.match(file, /^[a-z0-9][a-z0-9._-]*[a-z0-9]$|^[a-z0-9]$/, `${JSON.stringify(name)} → ${file}`);
      assert.ok(!file.includes('/') && !file.includes('\\') && file !== '.' && file !== '..', file);
      assert.ok(Buffer.byteLength(file) <= 100, `${file.length}`);
      assert.doesNotMatch(file.split('.')[0], /^(con|prn|aux|nul|com\d|lpt\d)$/);
    }
  });

  it('readable where it can be: accents dropped, other characters a dash, plus a hash of the original', () => {
    assert.match(toFileName('../../manifests/shop'), /^manifests-shop-[0-9a-f]{8}$/);
    assert.match(toFileName('Café'), /^cafe-[0-9a-f]{8}$/);
    assert.match(toFileName('服务'), /^[0-9a-f]{8}$/);
  });

  it('different names never share a file, also when they differ only in case or normalization', () => {
    const names = [...HOSTILE, 'shop', 'manifests-shop', 'con-1', 'a-b'];
    const files = new Map<string, string>();
    for (const name of names) {
      const file = toFileName(name).toLowerCase();
      assert.ok(
        !files.has(file) || files.get(file) === name,
        `${JSON.stringify(name)} and ${JSON.stringify(files.get(file))} both give ${file}`,
      );
      files.set(file, name);
    }
  });

  it('is stable: the same name always gives the same file', () => {
    for (const name of HOSTILE) assert.equal(toFileName(name), toFileName(name));
  });
});

describe('FolderEntries', () => {
  it('numbers a name that another entry, or a reserved name, already has', () => {
    const entries = new FolderEntries(['changes.yaml']);
    assert.equal(entries.take('app', '.yaml'), 'app.yaml');
    assert.equal(entries.take('app', '.yaml'), 'app-2.yaml');
    assert.equal(entries.take('changes', '.yaml'), 'changes-2.yaml');
    assert.equal(entries.take('APP', '.yaml').startsWith('app-'), true);
  });
});
