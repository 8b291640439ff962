import { describe, expect, it } from 'vitest';
import { base64, renderPostmortemHtml } from '../../../src/application/postmortem/render-html.js';

describe('renderPostmortemHtml', () => {
  it('turns the post-mortem Markdown into one HTML file: headings, tables, lists, fences, links', () => {
    const md = [
      '# Post-mortem: 502 &lt;script>alert(1)&lt;/script>',
      '',
      '## Timeline',
      '',
      '| Time (UTC) | Event |',
      '|---|---|',
      '| 13:32 | Onset of *Pipes \\| inside* (crit) |',
      '',
      '- **dana** confirmed — [graph](http://prometheus:9090/graph?g0.expr=x&y=1)',
      '- [ ] Follow up',
      '- [bad](javascript:alert(1))',
      '',
      '```promql',
      'sum(rate(x{a="<b>"}[5m]))',
      '```',
    ].join('\n');
    const html = renderPostmortemHtml(md);
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(html).toContain('<title>Post-mortem: 502 &lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<thead><tr><th>Time (UTC)</th><th>Event</th></tr></thead>');
    expect(html).toContain('<td>Onset of <em>Pipes | inside</em> (crit)</td>');
    expect(html).toContain(
      '<li><strong>dana</strong> confirmed — <a href="http://prometheus:9090/graph?g0.expr=x&amp;y=1">graph</a></li>',
    );
    expect(html).toContain('<input type="checkbox" disabled> Follow up');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<pre><code class="language-promql">sum(rate(x{a=&quot;&lt;b&gt;&quot;}[5m]))</code></pre>');
    expect(html).toMatch(/<style>[^<]+<\/style>/);
  });

  it('inlines the charts it is given, and turns any other image into its alt text (no request)', () => {
    const md =
      '![Pool usage rose](chart-a.png)\n\n![Drawn as SVG](chart-b.png)\n\n![Elsewhere](https://evil.example/x.png)';
    const html = renderPostmortemHtml(md, [
      { filename: 'chart-a.png', alt: 'Pool usage rose', png: new Uint8Array([1, 2, 3, 4]) },
      {
        filename: 'chart-b.png',
        alt: 'Drawn as SVG',
        svg: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>',
      },
    ]);
    expect(html).toContain('<img alt="Pool usage rose" src="data:image/png;base64,AQIDBA==">');
    expect(html).toContain(
      '<figure role="img" aria-label="Drawn as SVG"><svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>',
    );
    expect(html).toContain('<em>Elsewhere</em>');
    expect(html).not.toContain('evil.example');
  });

  it('refuses an SVG that could run script or fetch', () => {
    const html = renderPostmortemHtml('![c](c.png)', [
      { filename: 'c.png', alt: 'c', svg: '<svg onload="fetch(1)"><image href="https://x.example/a.png"/></svg>' },
    ]);
    expect(html).not.toContain('<svg');
    expect(html).toContain('<em>c</em>');
  });

  it('encodes base64 like the platform does', () => {
    for (const bytes of [[], [0], [255, 254], [1, 2, 3], [0, 128, 255, 7, 9]]) {
      expect(base64(new Uint8Array(bytes))).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});
