/**
 * The `yaml` package's Lexer (yaml 2.x, src/parse/lexer.ts), ported to a plain loop that fills two arrays
 * (lexemes and their offsets) for one complete text, for fastCompose.ts.
 *
 * Why: the package's Lexer is a generator whose every token passes through three or four `yield*`
 * frames; that machinery, not the scanning, was most of its cost, and lexing was about 40% of parsing
 * a manifest. This port keeps the package's states and rules line for line (so the tokens are the same,
 * which test/engine/yaml/fastLex.test.ts checks on every corpus file and thousands of mutations) and drops what
 * a complete input never needs (buffering for incremental input).
 *
 * It gives up (returns undefined) on what fastCompose.ts declines anyway, so the caller goes to the
 * package's Parser: a byte order mark, directives, tags, quoted scalars over several lines or without
 * an end, and the end of a flow collection the Lexer reports as an error.
 */

const DOCUMENT = '\x02';
const SCALAR = '\x1f';

const enum State {
  Stream,
  LineStart,
  BlockStart,
  Doc,
  Flow,
  QuotedScalar,
  BlockScalar,
  PlainScalar,
}

export interface Lexemes {
  /** The lexemes, then a final '' that marks the end. */
  tokens: string[];
  /** Where each lexeme starts; the markers (document start, scalar next) have no width. */
  offsets: number[];
}

const GIVE_UP = Symbol('give up');

function giveUp(): never {
  throw GIVE_UP;
}

/** The lexemes of `source` as the package's Lexer yields them, or undefined (see above). */
export function lexYaml(source: string): Lexemes | undefined {
  try {
    return new FastLexer(source).run();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}

function isEmpty(ch: string | undefined): boolean {
  return ch === undefined || ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t';
}

function isFlowIndicator(ch: string | undefined): boolean {
  return ch === ',' || ch === '[' || ch === ']' || ch === '{' || ch === '}';
}

function isNotAnchorChar(ch: string | undefined): boolean {
  return (
    !ch ||
    ch === ' ' ||
    ch === ',' ||
    ch === '[' ||
    ch === ']' ||
    ch === '{' ||
    ch === '}' ||
    ch === '\n' ||
    ch === '\r' ||
    ch === '\t'
  );
}

function isBlockScalarHeaderEnd(ch: string | undefined): boolean {
  return isEmpty(ch) || ch === '#';
}

class FastLexer {
  private readonly tokens: string[] = [];
  private readonly offsets: number[] = [];
  private pos = 0;
  /** Position of the next \n (-1: none), or -2 when not known yet. */
  private lineEndPos = -2;
  private blockScalarIndent = -1;
  private blockScalarKeep = false;
  private flowKey = false;
  private flowLevel = 0;
  private indentNext = 0;
  private indentValue = 0;

  constructor(private readonly buffer: string) {}

  run(): Lexemes {
    const length = this.buffer.length;
    let next = State.Stream;
    while (this.pos < length) next = this.parseNext(next);
    // A count pushed past the end (which the package would yield short) is not ours to reproduce.
    if (this.pos !== length) giveUp();
    this.tokens.push('');
    this.offsets.push(length);
    return { tokens: this.tokens, offsets: this.offsets };
  }

  private push(token: string): void {
    this.tokens.push(token);
    this.offsets.push(this.pos);
  }

  private atLineEnd(): boolean {
    let i = this.pos;
    let ch = this.buffer[i];
    while (ch === ' ' || ch === '\t') ch = this.buffer[++i];
    if (!ch || ch === '#' || ch === '\n') return true;
    if (ch === '\r') return this.buffer[i + 1] === '\n';
    return false;
  }

  private continueScalar(offset: number): number {
    let ch = this.buffer[offset];
    if (this.indentNext > 0) {
      let indent = 0;
      while (ch === ' ') ch = this.buffer[++indent + offset];
      if (ch === '\r') {
        const next = this.buffer[indent + offset + 1];
        if (next === '\n') return offset + indent + 1;
      }
      return ch === '\n' || indent >= this.indentNext ? offset + indent : -1;
    }
    if (ch === '-' || ch === '.') {
      const dt = this.buffer.substr(offset, 3);
      if ((dt === '---' || dt === '...') && isEmpty(this.buffer[offset + 3])) return -1;
    }
    return offset;
  }

  /**
   * The end of the current line (before its \r\n or \n), as the package's getLine() returns the line
   * from `pos` to there. A line that would end before `pos` (a \r\n split by a token) is not handled.
   */
  private lineEnd(): number {
    let end = this.lineEndPos;
    if (end === -2 || (end !== -1 && end < this.pos)) {
      end = this.buffer.indexOf('\n', this.pos);
      this.lineEndPos = end;
    }
    if (end === -1) return this.buffer.length;
    if (this.buffer[end - 1] === '\r') end -= 1;
    if (end < this.pos) giveUp();
    return end;
  }

  private parseNext(next: State): State {
    switch (next) {
      case State.Stream:
        return this.parseStream();
      case State.LineStart:
        return this.parseLineStart();
      case State.BlockStart:
        return this.parseBlockStart();
      case State.Doc:
        return this.parseDocument();
      case State.Flow:
        return this.parseFlowCollection();
      case State.QuotedScalar:
        return this.parseQuotedScalar();
      case State.BlockScalar:
        return this.parseBlockScalar();
      case State.PlainScalar:
        return this.parsePlainScalar();
    }
  }

  private parseStream(): State {
    const lineLength = this.lineEnd() - this.pos;
    const first = this.buffer[this.pos];
    // A byte order mark and directives: left to the package.
    if (first === '\u{FEFF}' || (first === '%' && lineLength > 0)) giveUp();
    if (this.atLineEnd()) {
      const sp = this.pushSpaces(true);
      this.pushCount(lineLength - sp);
      this.pushNewline();
      return State.Stream;
    }
    this.push(DOCUMENT);
    return this.parseLineStart();
  }

  private parseLineStart(): State {
    const ch = this.buffer[this.pos];
    if (ch === '-' || ch === '.') {
      const s = this.buffer.substr(this.pos, 3);
      if ((s === '---' || s === '...') && isEmpty(this.buffer[this.pos + 3])) {
        this.pushCount(3);
        this.indentValue = 0;
        this.indentNext = 0;
        return s === '---' ? State.Doc : State.Stream;
      }
    }
    this.indentValue = this.pushSpaces(false);
    if (this.indentNext > this.indentValue && !isEmpty(this.buffer[this.pos + 1])) this.indentNext = this.indentValue;
    return this.parseBlockStart();
  }

  private parseBlockStart(): State {
    const ch0 = this.buffer[this.pos];
    const ch1 = this.buffer[this.pos + 1];
    if ((ch0 === '-' || ch0 === '?' || ch0 === ':') && isEmpty(ch1)) {
      const n = this.pushCount(1) + this.pushSpaces(true);
      this.indentNext = this.indentValue + 1;
      this.indentValue += n;
      return State.BlockStart;
    }
    return State.Doc;
  }

  private parseDocument(): State {
    this.pushSpaces(true);
    const lineStart = this.pos;
    const lineLength = this.lineEnd() - lineStart;
    let n = this.pushIndicators();
    const ch = n < lineLength ? this.buffer[lineStart + n] : undefined;
    if (ch === '#' || ch === undefined) {
      if (ch === '#') this.pushCount(lineLength - n);
      this.pushNewline();
      return this.parseLineStart();
    }
    switch (ch) {
      case '{':
      case '[':
        this.pushCount(1);
        this.flowKey = false;
        this.flowLevel = 1;
        return State.Flow;
      case '}':
      case ']':
        // this is an error
        this.pushCount(1);
        return State.Doc;
      case '*':
        this.pushUntil(isNotAnchorChar);
        return State.Doc;
      case '"':
      case "'":
        return this.parseQuotedScalar();
      case '|':
      case '>':
        n += this.parseBlockScalarHeader();
        n += this.pushSpaces(true);
        this.pushCount(lineLength - n);
        this.pushNewline();
        return this.parseBlockScalar();
      default:
        return this.parsePlainScalar();
    }
  }

  private parseFlowCollection(): State {
    let nl: number;
    let sp: number;
    let indent = -1;
    do {
      nl = this.pushNewline();
      if (nl > 0) {
        sp = this.pushSpaces(false);
        this.indentValue = indent = sp;
      } else {
        sp = 0;
      }
      sp += this.pushSpaces(true);
    } while (nl + sp > 0);
    const lineStart = this.pos;
    const lineLength = this.lineEnd() - lineStart;
    const line = (i: number) => (i < lineLength ? this.buffer[lineStart + i] : undefined);
    if (
      (indent !== -1 && indent < this.indentNext && line(0) !== '#') ||
      (indent === 0 &&
        (this.buffer.startsWith('---', lineStart) || this.buffer.startsWith('...', lineStart)) &&
        lineLength >= 3 &&
        isEmpty(line(3)))
    ) {
      const atFlowEndMarker =
        indent === this.indentNext - 1 && this.flowLevel === 1 && (line(0) === ']' || line(0) === '}');
      // The package yields an error token here (an unexpected end of the flow collection).
      if (!atFlowEndMarker) giveUp();
    }
    let n = 0;
    while (line(n) === ',') {
      n += this.pushCount(1);
      n += this.pushSpaces(true);
      this.flowKey = false;
    }
    n += this.pushIndicators();
    const ch = line(n);
    if (ch === ':') {
      const next = this.buffer[this.pos + 1];
      if (this.flowKey || isEmpty(next) || next === ',') {
        this.flowKey = false;
        this.pushCount(1);
        this.pushSpaces(true);
        return State.Flow;
      }
    }
    switch (ch) {
      case undefined:
        return State.Flow;
      case '#':
        this.pushCount(lineLength - n);
        return State.Flow;
      case '{':
      case '[':
        this.pushCount(1);
        this.flowKey = false;
        this.flowLevel += 1;
        return State.Flow;
      case '}':
      case ']':
        this.pushCount(1);
        this.flowKey = true;
        this.flowLevel -= 1;
        return this.flowLevel ? State.Flow : State.Doc;
      case '*':
        this.pushUntil(isNotAnchorChar);
        return State.Flow;
      case '"':
      case "'":
        this.flowKey = true;
        return this.parseQuotedScalar();
      default:
        this.flowKey = false;
        return this.parsePlainScalar();
    }
  }

  private parseQuotedScalar(): State {
    const quote = this.buffer[this.pos];
    let end = this.buffer.indexOf(quote, this.pos + 1);
    if (quote === "'") {
      while (end !== -1 && this.buffer[end + 1] === "'") end = this.buffer.indexOf("'", end + 2);
    } else {
      // double-quote
      while (end !== -1) {
        let n = 0;
        while (this.buffer[end - 1 - n] === '\\') n += 1;
        if (n % 2 === 0) break;
        end = this.buffer.indexOf('"', end + 1);
      }
    }
    // Over several lines, or without an end: left to the package.
    if (end === -1) giveUp();
    const nl = this.buffer.indexOf('\n', this.pos);
    if (nl !== -1 && nl < end) giveUp();
    this.pushToIndex(end + 1, false);
    return this.flowLevel ? State.Flow : State.Doc;
  }

  private parseBlockScalarHeader(): number {
    this.blockScalarIndent = -1;
    this.blockScalarKeep = false;
    let i = this.pos;
    for (;;) {
      const ch = this.buffer[++i];
      if (ch === '+') this.blockScalarKeep = true;
      else if (ch > '0' && ch <= '9') this.blockScalarIndent = Number(ch) - 1;
      else if (ch !== '-') break;
    }
    return this.pushUntil(isBlockScalarHeaderEnd);
  }

  private parseBlockScalar(): State {
    let nl = this.pos - 1; // may be -1 if this.pos === 0
    let indent = 0;
    let ch: string | undefined;
    for (let i = this.pos; (ch = this.buffer[i]); ++i) {
      if (ch === ' ') {
        indent += 1;
      } else if (ch === '\n') {
        nl = i;
        indent = 0;
      } else if (ch !== '\r' || this.buffer[i + 1] !== '\n') {
        break;
      }
    }
    if (indent >= this.indentNext) {
      if (this.blockScalarIndent === -1) this.indentNext = indent;
      else this.indentNext = this.blockScalarIndent + (this.indentNext === 0 ? 1 : this.indentNext);
      do {
        const cs = this.continueScalar(nl + 1);
        if (cs === -1) break;
        nl = this.buffer.indexOf('\n', cs);
      } while (nl !== -1);
      if (nl === -1) nl = this.buffer.length;
    }
    // Trailing insufficiently indented tabs are invalid.
    // To catch that during parsing, we include them in the block scalar value.
    let i = nl + 1;
    ch = this.buffer[i];
    while (ch === ' ') ch = this.buffer[++i];
    if (ch === '\t') {
      while (ch === '\t' || ch === ' ' || ch === '\r' || ch === '\n') ch = this.buffer[++i];
      nl = i - 1;
    } else if (!this.blockScalarKeep) {
      for (;;) {
        let j = nl - 1;
        let c = this.buffer[j];
        if (c === '\r') c = this.buffer[--j];
        const lastChar = j; // Drop the line if last char not more indented
        while (c === ' ') c = this.buffer[--j];
        if (c === '\n' && j >= this.pos && j + 1 + indent > lastChar) nl = j;
        else break;
      }
    }
    this.push(SCALAR);
    this.pushToIndex(nl + 1, true);
    return this.parseLineStart();
  }

  private parsePlainScalar(): State {
    const inFlow = this.flowLevel > 0;
    const buffer = this.buffer;
    let end = this.pos - 1;
    let i = this.pos - 1;
    let ch: string | undefined;
    while ((ch = buffer[++i])) {
      if (ch === ':') {
        const next = buffer[i + 1];
        if (isEmpty(next) || (inFlow && isFlowIndicator(next))) break;
        end = i;
      } else if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') {
        let next = buffer[i + 1];
        if (ch === '\r') {
          if (next === '\n') {
            i += 1;
            ch = '\n';
            next = buffer[i + 1];
          } else end = i;
        }
        if (next === '#' || (inFlow && isFlowIndicator(next))) break;
        if (ch === '\n') {
          const cs = this.continueScalar(i + 1);
          if (cs === -1) break;
          i = Math.max(i, cs - 2); // to advance, but still account for ' #'
        }
      } else {
        if (inFlow && isFlowIndicator(ch)) break;
        end = i;
      }
    }
    this.push(SCALAR);
    this.pushToIndex(end + 1, true);
    return inFlow ? State.Flow : State.Doc;
  }

  private pushCount(n: number): number {
    if (n > 0) {
      this.push(this.buffer.substr(this.pos, n));
      this.pos += n;
      return n;
    }
    return 0;
  }

  private pushToIndex(i: number, allowEmpty: boolean): number {
    const s = this.buffer.slice(this.pos, i);
    if (s) {
      this.push(s);
      this.pos += s.length;
      return s.length;
    } else if (allowEmpty) {
      this.push('');
    }
    return 0;
  }

  private pushIndicators(): number {
    let n = 0;
    for (;;) {
      const ch = this.buffer[this.pos];
      // Tags: left to the package.
      if (ch === '!') giveUp();
      if (ch === '&') {
        n += this.pushUntil(isNotAnchorChar);
        n += this.pushSpaces(true);
        continue;
      }
      // `-` is an error here, and `?` outside flow collections.
      if (ch === '-' || ch === '?' || ch === ':') {
        const inFlow = this.flowLevel > 0;
        const ch1 = this.buffer[this.pos + 1];
        if (isEmpty(ch1) || (inFlow && isFlowIndicator(ch1))) {
          if (!inFlow) this.indentNext = this.indentValue + 1;
          else if (this.flowKey) this.flowKey = false;
          n += this.pushCount(1);
          n += this.pushSpaces(true);
          continue;
        }
      }
      return n;
    }
  }

  private pushNewline(): number {
    const ch = this.buffer[this.pos];
    if (ch === '\n') return this.pushCount(1);
    if (ch === '\r' && this.buffer[this.pos + 1] === '\n') return this.pushCount(2);
    return 0;
  }

  private pushSpaces(allowTabs: boolean): number {
    let i = this.pos - 1;
    let ch: string | undefined;
    do {
      ch = this.buffer[++i];
    } while (ch === ' ' || (allowTabs && ch === '\t'));
    const n = i - this.pos;
    if (n > 0) {
      this.push(this.buffer.substr(this.pos, n));
      this.pos = i;
    }
    return n;
  }

  private pushUntil(test: (ch: string | undefined) => boolean): number {
    let i = this.pos;
    let ch = this.buffer[i];
    while (!test(ch)) ch = this.buffer[++i];
    return this.pushToIndex(i, false);
  }
}
