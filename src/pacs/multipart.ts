/** multipart/related bodies (RFC 2387) as DICOMweb uses them: WADO-RS responses and STOW-RS requests. */
import { randomBytes } from 'node:crypto';

/** The boundary parameter of a Content-Type header, or undefined. */
export function boundaryOf(contentType: string | null): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;,\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The bodies of the parts of a multipart message (part headers dropped). */
export function splitMultipart(body: Uint8Array, boundary: string): Uint8Array[] {
  const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Uint8Array[] = [];
  let at = data.indexOf(delimiter);
  while (at >= 0) {
    const afterDelimiter = at + delimiter.length;
    if (data[afterDelimiter] === 0x2d && data[afterDelimiter + 1] === 0x2d) break; // closing --boundary--
    const headersEnd = data.indexOf('\r\n\r\n', afterDelimiter, 'latin1');
    if (headersEnd < 0) break;
    const next = data.indexOf(delimiter, headersEnd + 4);
    if (next < 0) break;
    // the CRLF before the next delimiter belongs to the delimiter
    let end = next;
    if (data[end - 2] === 0x0d && data[end - 1] === 0x0a) end -= 2;
    parts.push(new Uint8Array(data.buffer, data.byteOffset + headersEnd + 4, end - headersEnd - 4));
    at = next;
  }
  return parts;
}

/** A multipart/related body of `parts`, each with `partType`, and its Content-Type header. */
export function buildMultipart(
  parts: readonly Uint8Array[],
  partType: string,
): { body: Uint8Array; contentType: string } {
  const boundary = `vesalius-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Type: ${partType}\r\nContent-Length: ${p.length}\r\n\r\n`, 'latin1'),
    );
    chunks.push(Buffer.from(p.buffer, p.byteOffset, p.byteLength));
    chunks.push(Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return {
    body: new Uint8Array(Buffer.concat(chunks)),
    contentType: `multipart/related; type="${partType}"; boundary=${boundary}`,
  };
}
