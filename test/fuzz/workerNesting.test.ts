// Deeply nested YAML on the manifest worker thread, one file after another as a cold start sends
// them. A worker's stack leaves V8 little room: composing thousands of levels there once aborted the
// whole process ("RegExpCompiler Allocation failed"), taking the language server down with it.
// Runs the bundled worker (dist/manifestWorker.js, built by `npm test` before the unit tests).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_NESTING } from '../../server/src/engine/yaml/parse';
import { ManifestReaderPool } from '../../server/src/engine/workspace/manifestReaderPool';
import { deepNesting, REPO_ROOT } from '../helpers/fuzzInputs';

const WORKER = path.join(REPO_ROOT, 'dist', 'manifestWorker.js');

describe(
  'deep nesting on the manifest worker',
  { skip: existsSync(WORKER) ? false : `${WORKER} is not built (npm run build)` },
  () => {
    const pool = new ManifestReaderPool(WORKER, 1);
    after(() => pool.dispose());

    it('reads each file with a clear diagnostic, and the worker survives', async () => {
      const texts: [string, string][] = [
        ['brackets.yaml', deepNesting('[', 10_000)],
        ['mixed.yaml', deepNesting('mixed', 15_000)],
        ['maps.yaml', deepNesting('{', 10_000)],
        ['block.yaml', deepNesting('block')],
        ['sequence.yaml', deepNesting('- ', 10_000)],
        [
          'ok.yaml',
          'apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers: [{name: app, image: app}]\n',
        ],
      ];
      for (const [file, text] of texts) {
        const manifest = await pool.read(file, text, { maxBytes: 2 * 1024 * 1024 });
        assert.ok(manifest, `${file}: the worker failed instead of reading the file`);
        if (file === 'ok.yaml') {
          assert.deepEqual(
            manifest.workloads.map((w) => w.name),
            ['ok'],
          );
          continue;
        }
        const messages = manifest.syntaxProblems.map((p) => p.message);
        assert.ok(messages.length > 0, `${file}: no diagnostic for pathological nesting`);
        if (file !== 'block.yaml' && file !== 'sequence.yaml') {
          assert.ok(
            messages.some((m) => m.includes(`more than ${MAX_NESTING} levels`)),
            `${file}: ${messages.slice(0, 3).join(' | ')}`,
          );
        }
      }
    });
  },
);
