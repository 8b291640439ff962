import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codeSpan,
  escapeMrkdwn,
  fitText,
  joinWithin,
  link,
  oneLine,
  percent,
  safeLinkUrl,
  truncate,
  userMention,
} from '../../../src/adapters/slack/mrkdwn.js';

/** Pieces of text that are hard on escaping and cutting: markup, entities, emoji sequences, lone surrogates. */
const hostileUnit = fc.oneof(
  fc.constantFrom(
    '&',
    '<',
    '>',
    '`',
    '|',
    '&amp;',
    '<!here>',
    '😀',
    '👩‍👩‍👧',
    '🇫🇷',
    'é',
    '\uD83D',
    '\uDE00',
    ' ',
    '\n',
  ),
  fc.string({ unit: 'binary', maxLength: 3 }),
);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('escapeMrkdwn', () => {
  it("escapes Slack's three control characters and nothing else", () => {
    expect(escapeMrkdwn('a & b < c > d "e" \'f\' *g* _h_')).toBe('a &amp; b &lt; c &gt; d "e" \'f\' *g* _h_');
  });

  it('neutralises mentions, broadcasts and links', () => {
    expect(escapeMrkdwn('<!channel> <!here> <@U123> <https://evil|click>')).toBe(
      '&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil|click&gt;',
    );
  });

  it('escapes a literal entity so that it is shown as typed', () => {
    expect(escapeMrkdwn('&amp;')).toBe('&amp;amp;');
    expect(escapeMrkdwn('&lt;!channel&gt;')).toBe('&amp;lt;!channel&amp;gt;');
  });

  it('keeps emoji and replaces lone surrogates', () => {
    expect(escapeMrkdwn('🔥👩‍👩‍👧')).toBe('🔥👩‍👩‍👧');
    expect(escapeMrkdwn('a\uD83Db')).toBe('a\uFFFDb');
    expect(escapeMrkdwn('a\uDE00')).toBe('a\uFFFD');
  });
});

describe('truncate', () => {
  it('returns short text unchanged', () => {
    expect(truncate('hello', 5)).toBe('hello');
    expect(truncate('', 3)).toBe('');
  });

  it('cuts long text to the max, ending with an ellipsis', () => {
    const out = truncate('abcdefghij', 6);
    expect(out).toBe('abcde…');
    expect(out.length).toBe(6);
  });

  it('handles tiny limits', () => {
    expect(truncate('abc', 0)).toBe('');
    expect(truncate('abc', 1)).toBe('…');
    expect(truncate('abc', -4)).toBe('');
  });

  it('never cuts inside an escape sequence', () => {
    const text = escapeMrkdwn('abcd&efgh');
    expect(text).toBe('abcd&amp;efgh');
    for (let max = 5; max <= 9; max++) expect(truncate(text, max)).toBe('abcd…');
    expect(truncate(text, 10)).toBe('abcd&amp;…');
    expect(truncate(escapeMrkdwn('x<y'), 4)).toBe('x…');
  });

  it('never splits a surrogate pair or an emoji sequence', () => {
    expect(truncate('😀😀😀', 4)).toBe('😀…');
    const family = '👩‍👩‍👧‍👦';
    const out = truncate(`ab${family}cd`, 8);
    expect(out).toBe('ab…');
    expect(truncate('ab🇫🇷cd', 5)).toBe('ab…');
  });

  it('never cuts inside a link or a mention it was given as markup', () => {
    const text = 'see <https://grafana.example/d/abc?x=1&amp;y=2|query> now';
    expect(truncate(text, 20)).toBe('see …');
    expect(truncate(text, 54)).toBe('see <https://grafana.example/d/abc?x=1&amp;y=2|query>…');
    expect(truncate('hi <@U123> there', 8)).toBe('hi …');
  });

  it('closes a code span left open by the cut, or drops a bare opening backtick', () => {
    expect(truncate('value `abcdefghij` end', 12)).toBe('value `abc`…');
    expect(truncate('value `abcdefghij` end', 8)).toBe('value …');
  });

  it('property: escaped random text cut anywhere is short, well-formed and keeps every entity whole', () => {
    fc.assert(
      fc.property(fc.array(hostileUnit, { maxLength: 60 }), fc.integer({ min: 0, max: 120 }), (parts, max) => {
        const escaped = escapeMrkdwn(parts.join(''));
        const out = truncate(escaped, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(LONE_SURROGATE.test(out)).toBe(false);
        expect(/[<>]/.test(out)).toBe(false);
        expect(out.match(/&(?!amp;|lt;|gt;)/g)).toBeNull();
        if (escaped.length <= max) {
          expect(out).toBe(escaped);
        } else if (max > 0) {
          expect(out.endsWith('…')).toBe(true);
          // What is shown is a prefix of the text, possibly followed by one backtick closing a code span.
          const shown = out.slice(0, -1);
          const prefix = escaped.startsWith(shown) ? shown : shown.slice(0, -1);
          expect(escaped.startsWith(prefix)).toBe(true);
          expect(shown === prefix || shown.endsWith('`')).toBe(true);
          expect((shown.match(/`/g) ?? []).length % 2).toBe(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: code spans stay closed and escaped whatever the value and the limit', () => {
    fc.assert(
      fc.property(fc.array(hostileUnit, { maxLength: 80 }), fc.integer({ min: 1, max: 80 }), (parts, max) => {
        const out = codeSpan(parts.join(''), max);
        if (out === '_(empty)_') return;
        expect(out.startsWith('`') && out.endsWith('`')).toBe(true);
        expect((out.match(/`/g) ?? []).length).toBe(2);
        expect(out.length).toBeLessThanOrEqual(max + 2);
        expect(/[<>\n]/.test(out)).toBe(false);
        expect(LONE_SURROGATE.test(out)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('codeSpan', () => {
  it('replaces backticks so a value cannot break out of the span', () => {
    expect(codeSpan('a`b```c')).toBe('`aˋbˋˋˋc`');
  });

  it('escapes and keeps the value on one line', () => {
    expect(codeSpan('<!here>\n& more')).toBe('`&lt;!here&gt; &amp; more`');
  });

  it('truncates the content inside the span', () => {
    expect(codeSpan('x'.repeat(50), 10)).toBe(`\`${'x'.repeat(9)}…\``);
  });

  it('shows an empty value as such rather than an empty span', () => {
    expect(codeSpan('')).toBe('_(empty)_');
    expect(codeSpan('\n\n')).toBe('_(empty)_');
  });
});

describe('safeLinkUrl and link', () => {
  it('keeps http(s) URLs, escaping & as &amp;', () => {
    expect(safeLinkUrl('http://prom:9090/graph?g0.expr=up&g0.tab=0')).toBe(
      'http://prom:9090/graph?g0.expr=up&amp;g0.tab=0',
    );
  });

  it('percent-encodes the characters that would end the link or its URL', () => {
    const url = safeLinkUrl('https://x.example/a|b?q=<c>&d=`e` f');
    expect(url).toBe('https://x.example/a%7Cb?q=%3Cc%3E&amp;d=%60e%60%20f');
  });

  it('drops invalid URLs, other schemes and over-long URLs', () => {
    expect(safeLinkUrl('not a url')).toBeNull();
    expect(safeLinkUrl('javascript:alert(1)')).toBeNull();
    expect(safeLinkUrl('file:///etc/passwd')).toBeNull();
    expect(safeLinkUrl(`https://x.example/${'a'.repeat(3000)}`)).toBeNull();
  });

  it('removes credentials from the URL', () => {
    expect(safeLinkUrl('https://admin:s3cret@prom.example/graph')).toBe('https://prom.example/graph');
  });

  it('builds <url|label> with an escaped label, or null', () => {
    expect(link('https://prom.example/g?a=1&b=2', 'query <now>')).toBe(
      '<https://prom.example/g?a=1&amp;b=2|query &lt;now&gt;>',
    );
    expect(link('<https://evil|click>', 'query')).toBeNull();
  });
});

describe('userMention', () => {
  it('mentions well-formed user ids only', () => {
    expect(userMention('U0123ABC')).toBe('<@U0123ABC>');
    expect(userMention('W0123ABC')).toBe('<@W0123ABC>');
    expect(userMention('<!channel>')).toBe('`&lt;!channel&gt;`');
    expect(userMention('U123> <!here')).toBe('`U123&gt; &lt;!here`');
  });
});

describe('joinWithin', () => {
  it('joins when everything fits', () => {
    expect(joinWithin(['a', 'b'], 3)).toBe('a\nb');
  });

  it('keeps whole lines and counts the rest', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`);
    const out = joinWithin(lines, 30);
    expect(out).toBe('line 0\nline 1\nline 2\n… 7 more');
    expect(out.length).toBeLessThanOrEqual(30);
  });

  it('truncates a first line that is too long on its own', () => {
    const out = joinWithin(['x'.repeat(100), 'y'], 20);
    expect(out.length).toBeLessThanOrEqual(20);
    expect(out).toMatch(/^x+…\n… 1 more$/);
  });
});

describe('fitText, oneLine, percent', () => {
  it('fitText escapes, neutralises backticks, joins lines and cuts', () => {
    expect(fitText('a `b`\n<c>', 100)).toBe('a ˋbˋ &lt;c&gt;');
    expect(fitText('&&&&', 6)).toBe('&amp;…');
  });

  it('oneLine drops control characters', () => {
    expect(oneLine(' a\r\n b\u0007c ')).toBe('a bc');
  });

  it('percent clamps and rounds', () => {
    expect(percent(0.724)).toBe('72%');
    expect(percent(1.7)).toBe('100%');
    expect(percent(Number.NaN)).toBe('?%');
  });
});
