// What the CLI prints for an error that is not a usage error: one sentence, never a stack.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { errorSentence } from '../../server/src/cli/errorSentence';
import { WriteError } from '../../server/src/engine/files/writeInside';

function thrown(body: () => void): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

describe('errorSentence', () => {
  it('a file system error names the operation, the file and the reason in words', () => {
    const error = thrown(() => fs.readFileSync('/nonexistent-consolidation/plan.yaml'));
    assert.equal(
      errorSentence(error, {}),
      'cannot open /nonexistent-consolidation/plan.yaml: a folder on its path does not exist (ENOENT)',
    );
  });

  it('a write refusal is its own sentence', () => {
    assert.equal(
      errorSentence(new WriteError('nothing was written: x is outside y'), {}),
      'nothing was written: x is outside y',
    );
  });

  it('anything else is an internal error, with the stack only under CONSOLIDATE_DEBUG', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'name')");
    const plain = errorSentence(bug, {});
    assert.match(
      plain,
      /^internal error: Cannot read properties of undefined \(reading 'name'\)\. This is a bug in consolidate/,
    );
    assert.doesNotMatch(plain, /\n\s+at /);
    assert.match(errorSentence(bug, { CONSOLIDATE_DEBUG: '1' }), /\n\s+at /);
  });
});
