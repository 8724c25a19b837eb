/**
 * A plain PDF 1.4 document of text lines (Helvetica, WinAnsi encoding, A4 pages): enough for a
 * findings report to be printed or archived without a browser. Long lines are wrapped.
 */

/** WinAnsi bytes for the characters a report uses beyond ASCII; others become '?'. */
const WIN_ANSI: Record<string, number> = {
  '–': 0x96,
  '—': 0x97,
  '³': 0xb3,
  '²': 0xb2,
  '×': 0xd7,
  '±': 0xb1,
  '°': 0xb0,
  µ: 0xb5,
  '•': 0x95,
  '’': 0x92,
};

function encode(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    let byte = code < 128 ? code : (WIN_ANSI[ch] ?? (code >= 0xa0 && code <= 0xff ? code : 0x3f));
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out.push(0x5c); // escape ( ) \
    if (byte < 0x20) byte = 0x20;
    out.push(byte);
  }
  return out;
}

function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > width / 2 ? cut : width;
    out.push(rest.slice(0, at));
    rest = `    ${rest.slice(at).trimStart()}`;
  }
  out.push(rest);
  return out;
}

/** Appends without spreading (a spread of a long array overflows the call stack). */
function append(out: number[], bytes: readonly number[]): void {
  for (const b of bytes) out.push(b);
}

export interface PdfLine {
  text: string;
  /** Font size in points (default 10); 14 or more is bold. */
  size?: number;
}

/** The PDF bytes of `lines` (A4, 50 pt margins). */
export function textPdf(lines: PdfLine[]): Uint8Array {
  const pages: { text: string; size: number }[][] = [[]];
  let y = 792;
  for (const line of lines) {
    const size = line.size ?? 10;
    for (const part of wrap(line.text, Math.floor(950 / size))) {
      if (y - size * 1.4 < 50) {
        pages.push([]);
        y = 792;
      }
      y -= size * 1.4;
      pages[pages.length - 1]!.push({ text: part, size });
    }
  }
  const objects: number[][] = [];
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
  const add = (bytes: number[]) => objects.push(bytes) - 1 + 1; // object numbers start at 1
  const catalog = add([]);
  const pagesObj = add([]);
  const font = add(ascii('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'));
  const bold = add(ascii('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>'));
  const kids: number[] = [];
  for (const page of pages) {
    let at = 842 - 50;
    const stream: number[] = [];
    for (const { text, size } of page) {
      at -= size * 1.4;
      append(stream, ascii(`BT /${size >= 14 ? 'F2' : 'F1'} ${size} Tf 50 ${at.toFixed(1)} Td (`));
      append(stream, encode(text));
      append(stream, ascii(') Tj ET\n'));
    }
    const body = ascii(`<< /Length ${stream.length} >>\nstream\n`);
    append(body, stream);
    append(body, ascii('\nendstream'));
    const content = add(body);
    kids.push(
      add(
        ascii(
          `<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R /F2 ${bold} 0 R >> >> /Contents ${content} 0 R >>`,
        ),
      ),
    );
  }
  objects[catalog - 1] = ascii(`<< /Type /Catalog /Pages ${pagesObj} 0 R >>`);
  objects[pagesObj - 1] = ascii(
    `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`,
  );
  const out: number[] = ascii('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n').map((c) => c & 0xff);
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    append(out, ascii(`${i + 1} 0 obj\n`));
    append(out, body);
    append(out, ascii('\nendobj\n'));
  });
  const xref = out.length;
  out.push(...ascii(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`));
  for (const o of offsets) out.push(...ascii(`${String(o).padStart(10, '0')} 00000 n \n`));
  out.push(...ascii(`trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`));
  return Uint8Array.from(out);
}
