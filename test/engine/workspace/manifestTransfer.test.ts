// Manifest models cross from the worker threads to the main thread packed (manifestTransfer.ts): a model that is
// packed, structured-cloned (as postMessage does) and unpacked equals the model read on the main thread, on every
// corpus file, example and fixture; and the clone carries the file's path once, not once per location. Then the
// same through the real worker pool (dist/manifestWorker.js), with its queue bounded per worker.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { globSync } from 'tinyglobby';
import { readManifestFile } from '../../../server/src/engine/manifests/readManifestFile';
import { ManifestReaderPool } from '../../../server/src/engine/workspace/manifestReaderPool';
import { packManifest, unpackManifest } from '../../../server/src/engine/workspace/manifestTransfer';
import { CORPUS, REPO_ROOT } from '../../helpers/fuzzInputs';

const MAX_BYTES = 2048 * 1024;
// The shared corpus sits beside the main checkout; a worktree elsewhere reads it where it is.
const corpus = existsSync(CORPUS) ? CORPUS : '/work/shared/corpus';
const files = [
  ...(existsSync(corpus) ? globSync(['**/*.yaml', '**/*.yml'], { cwd: corpus, absolute: true, dot: true }) : []),
  ...globSync(['examples/**/*.yaml', 'examples/**/*.yml', 'test/fixtures/**/*.yaml', 'test/fixtures/**/*.yml'], {
    cwd: REPO_ROOT,
    absolute: true,
    dot: true,
    ignore: ['**/node_modules/**'],
  }),
].sort();

const count = (text: string, part: string) => text.split(part).length - 1;

describe('manifest models across threads', () => {
  test('pack, clone, unpack gives the model read in the thread; the path crosses once', () => {
    assert.ok(files.length > 100, `expected the corpus and fixtures, found ${files.length} files`);
    let withLocations = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const expected = readManifestFile(file, text, { maxBytes: MAX_BYTES });
      const packed = structuredClone(packManifest(readManifestFile(file, text, { maxBytes: MAX_BYTES })));
      const json = JSON.stringify(packed);
      // JSON leaves undefined out: only `path` itself still names the file.
      assert.equal(count(json, JSON.stringify(file)), 1, `${file}: the packed model still repeats its path`);
      if (count(JSON.stringify(expected), JSON.stringify(file)) > 1) withLocations++;
      assert.deepStrictEqual(unpackManifest(packed), expected, `${file}: the model differs after crossing`);
    }
    assert.ok(withLocations > 50, `only ${withLocations} files had locations to pack`);
  });

  test('locations in other files and user values are left alone', () => {
    const manifest = readManifestFile(
      '/w/a.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i}]\n',
      { maxBytes: MAX_BYTES },
    );
    const other = { file: '/w/b.yaml', range: { start: 1, end: 2 } };
    const extra = manifest as unknown as { extra: unknown };
    extra.extra = [other, { file: 0 }, { file: null }, { file: '/w/a.yaml' }];
    const back = unpackManifest(structuredClone(packManifest(manifest)));
    assert.deepStrictEqual((back as unknown as { extra: unknown }).extra, [
      other,
      { file: 0 },
      { file: null },
      { file: '/w/a.yaml' },
    ]);
    assert.equal(back.workloads[0].nameLocation?.file, '/w/a.yaml');
  });

  const worker = path.join(REPO_ROOT, 'dist', 'manifestWorker.js');
  describe(
    'through the worker pool',
    { skip: existsSync(worker) ? false : `${worker} is not built (npm run build)` },
    () => {
      const pool = new ManifestReaderPool(worker, 2);
      after(() => pool.dispose());

      test('every file reads as in the thread, and at most four files wait per worker', async () => {
        const sample = files.filter((_, i) => i % 3 === 0);
        const jobs: Promise<void>[] = [];
        let queuedWhenBusy = 0;
        for (const file of sample) {
          const text = readFileSync(file, 'utf8');
          if (pool.busy) {
            // The caller reads this one itself, as ConsolidationWorkspace.preload does.
            queuedWhenBusy = Math.max(queuedWhenBusy, jobs.length);
            await Promise.all(jobs.splice(0));
            continue;
          }
          jobs.push(
            pool.read(file, text, { maxBytes: MAX_BYTES }).then((manifest) => {
              assert.ok(manifest, `${file}: the worker failed`);
              assert.deepStrictEqual(
                manifest,
                readManifestFile(file, text, { maxBytes: MAX_BYTES }),
                `${file}: differs from the thread's model`,
              );
            }),
          );
        }
        await Promise.all(jobs);
        assert.equal(queuedWhenBusy, 8, 'two workers should be busy with four files each');
      });
    },
  );
});
