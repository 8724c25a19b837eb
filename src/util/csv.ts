/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. Small tables only (whole text in memory). */
import { FileFormatError } from './errors.js';

/** Rows of cells; a trailing empty line is dropped. */
export function parseCsvRows(text: string, source = 'CSV'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw new FileFormatError(source, 'unterminated quoted field');
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Header + records keyed by column name; every row must have the header's width. */
export function parseCsv(text: string, source = 'CSV'): { columns: string[]; records: Array<Record<string, string>> } {
  const rows = parseCsvRows(text, source);
  if (rows.length === 0) throw new FileFormatError(source, 'empty table (no header line)');
  const columns = rows[0]!.map((c) => c.trim());
  const records = rows.slice(1).map((r, i) => {
    if (r.length !== columns.length)
      throw new FileFormatError(source, `line ${i + 2} has ${r.length} fields, the header has ${columns.length}`);
    return Object.fromEntries(columns.map((c, j) => [c, r[j]!]));
  });
  return { columns, records };
}

/** A CSV cell: quoted when it holds a comma, quote or line break. */
export function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
