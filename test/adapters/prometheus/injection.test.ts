import { parser } from '@prometheus-io/lezer-promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnsafeQueryValueError } from '../../../src/domain/errors.js';
import { quoteLiteral, quoteRegexLiteral } from '../../../src/domain/promql/quote.js';

/**
 * Decodes a double-quoted PromQL string literal the way Prometheus's lexer (`promql/parser/lex.go`) and Go's
 * `strconv` do, and throws on everything they reject: a raw newline or quote inside, an escape other than
 * `\a \b \f \n \r \t \v \\ \"`, `\xhh`, `\ooo`, `\uhhhh` or `\Uhhhhhhhh`, a surrogate or out-of-range code point,
 * and bytes that are not UTF-8.
 */
function parseGoStringLiteral(literal: string): string {
  const units = Array.from(literal);
  if (units.length < 2 || units[0] !== '"' || units[units.length - 1] !== '"') {
    throw new SyntaxError('not a double-quoted literal');
  }
  const body = units.slice(1, -1);
  const bytes: number[] = [];
  const utf8 = new TextEncoder();
  const pushCodePoint = (codePoint: number): void => {
    if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      throw new SyntaxError('escape sequence is an invalid Unicode code point');
    }
    bytes.push(...utf8.encode(String.fromCodePoint(codePoint)));
  };
  const digits = (from: number, count: number, pattern: RegExp): string => {
    const text = body.slice(from, from + count).join('');
    if (text.length !== count || !pattern.test(text)) throw new SyntaxError('bad escape digits');
    return text;
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (ch === '"') throw new SyntaxError('unescaped quote ends the literal early');
    if (ch === '\n') throw new SyntaxError('unterminated quoted string');
    if (hasLoneSurrogate(ch)) throw new SyntaxError('invalid UTF-8 rune');
    if (ch !== '\\') {
      bytes.push(...utf8.encode(ch));
      continue;
    }
    const esc = body[++i];
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
    if (esc !== undefined && esc in simple) {
      bytes.push(simple[esc] ?? 0);
    } else if (esc === 'x') {
      bytes.push(Number.parseInt(digits(i + 1, 2, /^[0-9a-fA-F]{2}$/), 16));
      i += 2;
    } else if (esc !== undefined && /^[0-7]$/.test(esc)) {
      const value = Number.parseInt(digits(i, 3, /^[0-7]{3}$/), 8);
      if (value > 255) throw new SyntaxError('octal escape value > 255');
      bytes.push(value);
      i += 2;
    } else if (esc === 'u') {
      pushCodePoint(Number.parseInt(digits(i + 1, 4, /^[0-9a-fA-F]{4}$/), 16));
      i += 4;
    } else if (esc === 'U') {
      pushCodePoint(Number.parseInt(digits(i + 1, 8, /^[0-9a-fA-F]{8}$/), 16));
      i += 8;
    } else {
      throw new SyntaxError(`unknown esc sequence \\${esc ?? '<end>'}`);
    }
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
}

/** True when `text` has a UTF-16 surrogate without its partner (checked unit by unit, independently of quote.ts). */
function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return true;
    }
  }
  return false;
}

interface SelectorShape {
  errors: number;
  matchers: number;
  comments: number;
  literals: { from: number; to: number }[];
  topLevel: string[];
}

/** Parses a PromQL expression with Prometheus's own lezer grammar and summarises what it found. */
function shapeOf(expression: string): SelectorShape {
  const shape: SelectorShape = { errors: 0, matchers: 0, comments: 0, literals: [], topLevel: [] };
  const cursor = parser.parse(expression).cursor();
  if (cursor.firstChild()) {
    do shape.topLevel.push(cursor.name);
    while (cursor.nextSibling());
  }
  parser.parse(expression).iterate({
    enter(node) {
      if (node.type.isError) shape.errors++;
      if (/LabelMatcher$/.test(node.name)) shape.matchers++;
      if (node.name === 'LineComment') shape.comments++;
      if (node.name === 'StringLiteral') shape.literals.push({ from: node.from, to: node.to });
    },
  });
  return shape;
}

/** Asserts `up{job=<literal>}` is one selector with one matcher whose string spans exactly the literal. */
function expectSingleMatcher(literal: string): void {
  const expression = `up{job=${literal}}`;
  expect(shapeOf(expression)).toEqual({
    errors: 0,
    matchers: 1,
    comments: 0,
    literals: [{ from: 7, to: 7 + literal.length }],
    topLevel: ['VectorSelector'],
  });
}

const tricky = fc.constantFrom(
  '"',
  '\\',
  '\\"',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u001b',
  '\u007f',
  '\u2028',
  '#',
  '}',
  '{',
  ',',
  '=~',
  '.+',
  ' or ',
  '`',
  "'",
  'é',
  'e\u0301',
  '日本',
  '😀',
  '👩‍💻',
  '\ud83d',
  '\ude00',
);
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const anyCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
const userText = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: tricky },
      { weight: 4, arbitrary: anyCodePoint },
      { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 4 }) },
      { weight: 1, arbitrary: anyCodeUnit },
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

describe('quoteLiteral against PromQL injection', () => {
  it('round-trips any string through a strict Go-style literal parser and the PromQL grammar', () => {
    let quoted = 0;
    let refused = 0;
    fc.assert(
      fc.property(userText, (value) => {
        let literal: string;
        try {
          literal = quoteLiteral(value);
        } catch (err) {
          expect(err).toBeInstanceOf(UnsafeQueryValueError);
          expect(hasLoneSurrogate(value)).toBe(true);
          refused++;
          return;
        }
        expect(hasLoneSurrogate(value)).toBe(false);
        expect(parseGoStringLiteral(literal)).toBe(value);
        expectSingleMatcher(literal);
        quoted++;
      }),
      { numRuns: 10_000 },
    );
    // The generator must exercise both outcomes, or the property proves little.
    expect(quoted).toBeGreaterThan(5_000);
    expect(refused).toBeGreaterThan(50);
  });

  it('neutralises the documented injection x"} or up{job=~".+"} #', () => {
    const attack = 'x"} or up{job=~".+"} #';

    const literal = quoteLiteral(attack);

    expect(literal).toBe(String.raw`"x\"} or up{job=~\".+\"} #"`);
    expect(parseGoStringLiteral(literal)).toBe(attack);
    expectSingleMatcher(literal);
  });

  it('detects the same text spliced in raw (the check would catch an injection)', () => {
    const shape = shapeOf(`up{job="${'x"} or up{job=~".+"} #'}"}`);

    expect(shape.topLevel).toEqual(['BinaryExpr', 'LineComment']);
    expect(shape.matchers).toBe(2);
    expect(shape.comments).toBe(1);
  });

  it('refuses lone surrogates, which Prometheus rejects as invalid code points', () => {
    for (const value of ['\ud800', 'a\udfffb', '\ude00\ud83d']) {
      expect(() => quoteLiteral(value)).toThrow(UnsafeQueryValueError);
    }
    expect(quoteLiteral('\ud83d\ude00')).toBe('"😀"');
  });

  it('has a strict oracle: the literal parser rejects what Prometheus rejects', () => {
    for (const bad of ['"\\\'"', '"\\/"', '"a\nb"', '"\\ud800"', '"a"b"', '"\\x4"', '"\\400"', "'a'", '"\\']) {
      expect(() => parseGoStringLiteral(bad), bad).toThrow(SyntaxError);
    }
    expect(parseGoStringLiteral('"\\x41\\101\\u00e9\\U0001F600\\a"')).toBe('AAé😀\u0007');
  });
});

describe('quoteRegexLiteral against PromQL injection', () => {
  it('yields a literal whose pattern matches exactly the original text', () => {
    fc.assert(
      fc.property(userText, (value) => {
        fc.pre(!hasLoneSurrogate(value));
        const literal = quoteRegexLiteral(value);
        const pattern = parseGoStringLiteral(literal);

        expectSingleMatcher(literal);
        expect(new RegExp(`^(?:${pattern})$`, 'u').test(value)).toBe(true);
        expect(new RegExp(`^(?:${pattern})$`, 'u').test(`${value}x`)).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });
});
