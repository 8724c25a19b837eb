/** Locating the end of a text header (NRRD, MetaImage) at the start of a binary file. */

/** Text headers bigger than this are not headers. */
export const MAX_TEXT_HEADER = 1 << 20;

/**
 * Splits `bytes` into header lines (up to the first empty line, or to the end when there is none)
 * and the offset where the data begin. Accepts LF and CRLF line ends.
 */
export function splitAtBlankLine(bytes: Uint8Array): { lines: string[]; dataOffset: number } {
  const limit = Math.min(bytes.length, MAX_TEXT_HEADER);
  const lines: string[] = [];
  let start = 0;
  for (let n = 0; n < limit; n++) {
    if (bytes[n] !== 0x0a) continue;
    let end = n;
    if (end > start && bytes[end - 1] === 0x0d) end--;
    if (end === start) return { lines, dataOffset: n + 1 };
    lines.push(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
    start = n + 1;
  }
  if (start < limit)
    lines.push(
      Buffer.from(bytes.buffer, bytes.byteOffset + start, limit - start)
        .toString('latin1')
        .replace(/\r$/, ''),
    );
  return { lines, dataOffset: bytes.length };
}
