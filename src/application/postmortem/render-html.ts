/** A chart to show in the HTML document: the image the Markdown references by `filename`. */
export interface HtmlChart {
  filename: string;
  alt: string;
  png?: Uint8Array;
  svg?: string;
}

const CSS = `
body{font:15px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d1c1d;max-width:980px;margin:24px auto;padding:0 24px;background:#fff}
h1{font-size:26px;border-bottom:2px solid #e0e0e0;padding-bottom:8px}h2{font-size:20px;margin-top:32px;border-bottom:1px solid #eee}
h3{font-size:16px;margin-top:20px}table{border-collapse:collapse;margin:8px 0;width:100%}
th,td{border:1px solid #d0d0d0;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
code{font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;background:#f4f4f4;padding:1px 4px;border-radius:3px}
pre{background:#f6f8fa;border:1px solid #e1e4e8;padding:10px;overflow-x:auto}pre code{background:none;padding:0}
blockquote{border-left:4px solid #d0d0d0;margin:8px 0;padding:2px 12px;color:#555}
figure{margin:12px 0}figure img,figure svg{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:13px;color:#555}
ul{padding-left:24px}li.task{list-style:none;margin-left:-20px}
`.trim();

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of bytes, without relying on a runtime's globals. */
export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63] ?? '';
    out += B64[(n >> 12) & 63] ?? '';
    out += i + 1 < bytes.length ? (B64[(n >> 6) & 63] ?? '') : '=';
    out += i + 2 < bytes.length ? (B64[n & 63] ?? '') : '=';
  }
  return out;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An SVG safe to inline: no script, no event handlers, no external references. */
function safeSvg(svg: string): string | null {
  if (/<script|\bon\w+\s*=|<foreignObject|(?:href|src)\s*=\s*["']?\s*(?!#)[a-z]+:/i.test(svg)) return null;
  return svg.replace(/<\?xml[^>]*\?>/, '').trim();
}

function figure(chart: HtmlChart | undefined, alt: string): string {
  if (!chart) return `<em>${alt}</em>`;
  const caption = `<figcaption>${alt}</figcaption>`;
  if (chart.png && chart.png.length > 0)
    return `<figure><img alt="${alt}" src="data:image/png;base64,${base64(chart.png)}">${caption}</figure>`;
  const svg = chart.svg ? safeSvg(chart.svg) : null;
  if (svg) return `<figure role="img" aria-label="${alt}">${svg}${caption}</figure>`;
  return `<em>${alt}</em>`;
}

/** Inline Markdown of one line (code spans, bold, italic, links, images) as HTML; everything else escaped. */
function inline(text: string, charts: ReadonlyMap<string, HtmlChart>): string {
  const parts = text.replace(/&lt;/g, '<').split(/(`+[^`]*?`+)/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<code>${escapeHtml(part.replace(/^`+|`+$/g, ''))}</code>`;
      let html = escapeHtml(part.replace(/\\\|/g, '|'));
      html = html.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (_m, alt: string, src: string) =>
        figure(charts.get(decodeURI(src)), alt),
      );
      html = html.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, href: string) =>
        /^https?:\/\//i.test(href) ? `<a href="${href}">${label}</a>` : label,
      );
      html = html.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
      html = html.replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\w)/g, '$1<em>$2</em>');
      return html;
    })
    .join('');
}

/** Cells of a table row, split on pipes that are not escaped. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/**
 * The post-mortem as one self-contained HTML file: the Markdown the document is written in, turned into HTML (only
 * the subset the post-mortem uses), with inline CSS and the charts inline (PNG as a data: URI, else the SVG). It makes
 * no request: links stay links, images other than the charts given become their alt text.
 */
export function renderPostmortemHtml(markdown: string, charts: readonly HtmlChart[] = []): string {
  const byName = new Map(charts.map((c) => [c.filename, c]));
  const lines = markdown.split('\n');
  const out: string[] = [];
  let title = 'Post-mortem';
  let i = 0;
  const text = (s: string) => inline(s, byName);
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const fence = /^(`{3,})(\w*)\s*$/.exec(line);
    if (fence?.[1]) {
      const close = fence[1];
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== close; i++) body.push(lines[i] ?? '');
      i++;
      out.push(
        `<pre><code${fence[2] ? ` class="language-${fence[2]}"` : ''}>${escapeHtml(body.join('\n'))}</code></pre>`,
      );
      continue;
    }
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    if (heading?.[1]) {
      const level = heading[1].length;
      if (level === 1) title = heading[2] ?? title;
      out.push(`<h${level}>${text(heading[2] ?? '')}</h${level}>`);
      i++;
      continue;
    }
    if (line.startsWith('|')) {
      const rows: string[] = [];
      for (; i < lines.length && (lines[i] ?? '').startsWith('|'); i++) rows.push(lines[i] ?? '');
      const [head, sep, ...body] = rows;
      const hasHead = sep !== undefined && /^\|[\s|:-]+\|$/.test(sep);
      const th =
        hasHead && head
          ? `<thead><tr>${cells(head)
              .map((c) => `<th>${text(c)}</th>`)
              .join('')}</tr></thead>`
          : '';
      const tr = (hasHead ? body : rows).map(
        (r) =>
          `<tr>${cells(r)
            .map((c) => `<td>${text(c)}</td>`)
            .join('')}</tr>`,
      );
      out.push(`<table>${th}<tbody>${tr.join('')}</tbody></table>`);
      continue;
    }
    if (line.startsWith('- ')) {
      const items: string[] = [];
      for (; i < lines.length && (lines[i] ?? '').startsWith('- '); i++) {
        const item = (lines[i] ?? '').slice(2);
        const task = /^\[( |x)\] (.*)$/.exec(item);
        items.push(
          task
            ? `<li class="task"><input type="checkbox" disabled${task[1] === 'x' ? ' checked' : ''}> ${text(task[2] ?? '')}</li>`
            : `<li>${text(item)}</li>`,
        );
      }
      out.push(`<ul>${items.join('')}</ul>`);
      continue;
    }
    if (line.startsWith('> ')) {
      out.push(`<blockquote>${text(line.slice(2))}</blockquote>`);
      i++;
      continue;
    }
    if (line.trim() !== '') out.push(/^!\[/.test(line) ? text(line) : `<p>${text(line)}</p>`);
    i++;
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">',
    `<title>${escapeHtml(title.replace(/&lt;/g, '<'))}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...out,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
