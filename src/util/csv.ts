/** RFC 4180 CSV: quoted fields (with doubled quotes and line breaks inside), CRLF or LF rows. */
import { FileFormatError } from './errors.js';

export function parseCsv(text: string, where: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new FileFormatError(where, 'a quoted field is not closed');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.map((r) => r.map((c) => c.trim()));
}

/** One CSV field: quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A table with a header line: the column names and one record per further row, keyed by column.
 *
 * @param text the CSV text
 * @param where the file, for errors
 * @returns the columns and the records (blank lines skipped)
 * @throws FileFormatError naming the file when the header is missing or a row has another width
 */
export function parseCsvTable(
  text: string,
  where: string,
): { columns: string[]; records: Array<Record<string, string>> } {
  const rows = parseCsv(text, where).filter((r) => !(r.length === 1 && r[0] === ''));
  if (rows.length === 0) throw new FileFormatError(where, 'empty table (no header line)');
  const columns = rows[0]!;
  const records = rows.slice(1).map((r, i) => {
    if (r.length !== columns.length)
      throw new FileFormatError(where, `line ${i + 2} has ${r.length} fields, the header has ${columns.length}`);
    return Object.fromEntries(columns.map((c, j) => [c, r[j]!]));
  });
  return { columns, records };
}
