// LineIndex counts line breaks as LSP does (\n, \r\n and a lone \r), with or without carriage returns in the text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex } from '../../../server/src/engine/yaml/lineIndex';

/** Positions by walking the text one character at a time. */
function expectedPositions(text: string): { line: number; character: number }[] {
  const out: { line: number; character: number }[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i <= text.length; i++) {
    out.push({ line, character });
    const ch = text[i];
    if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) {
      line++;
      character = 0;
    } else {
      character++;
    }
  }
  return out;
}

test('line index: every offset of texts with \\n, \\r\\n and lone \\r line ends, both ways', () => {
  for (const text of ['', 'a', 'a\n', '\n\n', 'ab\ncd\n\nef', 'a\r\nb\r\n', 'a\rb\r\nc\nd', '\r', 'x\r\r\n\ny']) {
    const index = new LineIndex(text);
    const expected = expectedPositions(text);
    for (let offset = 0; offset <= text.length; offset++) {
      assert.deepEqual(index.positionAt(offset), expected[offset], `${JSON.stringify(text)} at ${offset}`);
      // Back from a position (a \r\n's \n maps to the start of the next line's break pair, so skip those).
      if (!(text[offset - 1] === '\r' && text[offset] === '\n'))
        assert.equal(index.offsetAt(expected[offset]), offset, `${JSON.stringify(text)} back to ${offset}`);
    }
    assert.equal(index.lineCount, expected[text.length].line + 1);
  }
});
