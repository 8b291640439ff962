import { describe, expect, it } from 'vitest';
import { TEXT_WIDTH, wrapLine, wrapText } from '../../../src/domain/report/wrap.js';

const width = (line: string) => [...line].length;

describe('wrapLine', () => {
  it('leaves a line that fits as it is', () => {
    expect(wrapLine('short line')).toEqual(['short line']);
    const exact = 'x'.repeat(TEXT_WIDTH);
    expect(wrapLine(exact)).toEqual([exact]);
  });

  it('wraps at spaces within the width, continuing under the text after the indent and bullet', () => {
    const line = `        + ${'word '.repeat(40).trim()}`;
    const wrapped = wrapLine(line, 40);
    expect(wrapped.length).toBeGreaterThan(1);
    for (const l of wrapped) expect(width(l)).toBeLessThanOrEqual(40);
    expect(wrapped[0]?.startsWith('        + word')).toBe(true);
    for (const l of wrapped.slice(1)) expect(l.startsWith('          word')).toBe(true);
    expect(wrapped.join(' ').replace(/\s+/g, ' ').trim()).toBe(line.replace(/\s+/g, ' ').trim());
  });

  it('never breaks a URL: a word wider than the line gets a line of its own', () => {
    const url = `https://prometheus.example:9090/graph?g0.expr=${'a'.repeat(150)}&g0.tab=0`;
    const wrapped = wrapLine(`           see ${url} for the graph`, 60);
    expect(wrapped).toContain(`           ${url}`);
    expect(wrapped.filter((l) => l.includes('https://'))).toHaveLength(1);
    expect(wrapped.at(-1)).toBe('           for the graph');
  });

  it('counts characters, not UTF-16 units, so sparklines and symbols take one column each', () => {
    const line = `✗ crit ${'▁▂▃▄▅▆▇█'.repeat(11)} end`;
    expect(width(line)).toBeLessThanOrEqual(TEXT_WIDTH);
    expect(wrapLine(line)).toEqual([line]);
  });
});

describe('wrapLine with commands', () => {
  it('keeps a command in backticks on one line', () => {
    const line = `Not measured: a, b → map them; \`triage signals explain --service checkout\` shows what was looked for`;
    const wrapped = wrapLine(line, 50);
    expect(wrapped.some((l) => l.includes('`triage signals explain --service checkout`'))).toBe(true);
    for (const l of wrapped) expect(width(l)).toBeLessThanOrEqual(50);
  });
});

describe('wrapText', () => {
  it('keeps the lines it is told to keep whole', () => {
    const query = `           query: ${'sum(rate(x[5m])) / '.repeat(10)}`;
    const text = `${'a '.repeat(80)}\n${query}`;
    const out = wrapText(text, 50, (l) => l.includes('query: ')).split('\n');
    expect(out).toContain(query);
    expect(out.filter((l) => !l.includes('query: ')).every((l) => width(l) <= 50)).toBe(true);
  });
});
