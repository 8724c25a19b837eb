/** The report's HTML: one self-contained file (inline CSS, SVG and PNG data URIs; no script, no request). */

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** An SVG document inlined into HTML (its XML prologue dropped). */
export const inlineSvg = (svg: string) => `<div class="chart">${svg.replace(/^<\?xml[^>]*>\s*/, '')}</div>`;

export const pngImage = (png: Buffer, alt: string) =>
  `<img class="figure" alt="${escapeHtml(alt)}" src="data:image/png;base64,${png.toString('base64')}">`;

export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, className = ''): string {
  return `<table class="${className}"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export const section = (title: string, body: string, id = title.toLowerCase().replace(/[^a-z0-9]+/g, '-')) =>
  `<section id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;

export const details = (summary: string, text: string) =>
  `<details><summary>${escapeHtml(summary)}</summary><pre>${escapeHtml(text)}</pre></details>`;

const CSS = `
body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:24px auto;max-width:1400px;color:#111;padding:0 16px}
h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}
h3{font-size:15px;margin:18px 0 6px}p.meta{color:#555;margin-top:0}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}tr.sig td{background:#eef8ee}
.chart svg{max-width:100%;height:auto}img.figure{max-width:100%;border:1px solid #eee;margin:6px 0}
pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:12px;max-height:420px}details{margin:6px 0}
.note{color:#444;font-size:13px}nav a{margin-right:12px;font-size:13px}
`;

export function page(title: string, subtitle: string, sections: readonly string[]): string {
  const ids = [...sections.join('').matchAll(/<section id="([^"]+)"><h2>([^<]+)<\/h2>/g)];
  const nav = ids.map((m) => `<a href="#${m[1]}">${m[2]}</a>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><h1>${escapeHtml(title)}</h1><p class="meta">${escapeHtml(subtitle)}</p><nav>${nav}</nav>
${sections.join('\n')}
</body></html>
`;
}
