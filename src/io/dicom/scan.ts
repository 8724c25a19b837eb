import { open, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FileFormatError, VesaliusError } from '../../util/errors.js';
import { isGzip } from '../compression.js';
import { number, text } from './attributes.js';
import { frameAttributes, mosaicAttributes } from './frame-geometry.js';
import { pixelDataElement } from './frames.js';
import { readMosaic } from './mosaic.js';
import { parseDicomBytes, type ParsedDicom } from './parse.js';
import { frameCount, readFrameInfo } from './pixel-module.js';
import {
  frameSize,
  isColour,
  type DicomFrameRef,
  type DicomScan,
  type DicomSeriesInfo,
  type SkippedFile,
} from './series-info.js';
import { layoutStack } from './stack.js';
import { describeTransferSyntax, transferSyntax } from './transfer-syntax.js';

/** Segmentation Storage and Label Map Segmentation Storage (DICOM 2024). */
const SEGMENTATION_SOPS = new Set(['1.2.840.10008.5.1.4.1.1.66.4', '1.2.840.10008.5.1.4.1.1.66.7']);
const CONCURRENCY = 8;
/** Skip reasons that are expected in a study folder (not images), as opposed to unreadable files. */
const NOT_IMAGE = [/^DICOM SEG/, /^no pixel data/, /^not a DICOM file/];

/** Every file under a folder, recursively, sorted (hidden files and folders excluded). */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) out.push(path);
    }
  }
  await walk(root);
  return out;
}

/** Maps over items with at most `limit` promises in flight, keeping order. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const HEAD_BYTES = 256 * 1024;

/** The first `HEAD_BYTES` of a file (the whole file when smaller): enough for most headers. */
async function readHead(path: string): Promise<{ bytes: Uint8Array; whole: boolean }> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const size = (await handle.stat()).size;
    const length = Math.min(size, HEAD_BYTES);
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead), whole: size <= HEAD_BYTES };
  } catch (e) {
    throw new FileFormatError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    await handle?.close();
  }
}

export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const b = await readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new FileFormatError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export interface FileEntry {
  path: string;
  frames: DicomFrameRef[];
  seriesUid: string;
  description: string;
  modality: string;
  seriesNumber?: number;
  sopClassUid: string;
}

/** Reads the header of one file into frame references, or says why it is not an image. */
export function describeFile(parsed: ParsedDicom, order: number): FileEntry | SkippedFile {
  const { path, dataSet: ds } = parsed;
  // some exports leave the dataset's SOP UIDs empty and keep them only in the meta header
  const sopClassUid = text(ds, 'x00080016') || text(ds, 'x00020002') || '';
  const modality = text(ds, 'x00080060') ?? '';
  if (SEGMENTATION_SOPS.has(sopClassUid))
    return { path, reason: 'DICOM SEG (segmentation object): not read as an image' };
  if (!pixelDataElement(parsed)) return { path, reason: `no pixel data (${modality || 'non-image'} object)` };
  const ts = transferSyntax(parsed.transferSyntaxUid);
  if (!ts)
    throw new FileFormatError(path, `unsupported transfer syntax: ${describeTransferSyntax(parsed.transferSyntaxUid)}`);
  const info = readFrameInfo(path, ds);
  if (info.floatBits && ts.codec)
    throw new FileFormatError(path, `float pixel data cannot be encapsulated (transfer syntax ${ts.name})`);
  const n = frameCount(ds);
  const mosaic = n === 1 && info.samplesPerPixel === 1 ? readMosaic(ds, info.rows, info.columns) : undefined;
  const attributes = mosaic ? mosaicAttributes(ds, mosaic, info.rows, info.columns) : frameAttributes(ds, n);
  const frames: DicomFrameRef[] = attributes.map((a, f) => ({
    path,
    frame: f,
    framesInFile: n,
    ...(mosaic ? { mosaic } : {}),
    transferSyntaxUid: parsed.transferSyntaxUid,
    instanceUid: text(ds, 'x00080018') || text(ds, 'x00020003') || `no-instance-uid:${path}`,
    info,
    attributes: a,
    order: order * 100000 + f,
  }));
  return {
    path,
    frames,
    // Anonymised files may lack SeriesInstanceUID: fall back to folder + study + series number + description
    seriesUid:
      text(ds, 'x0020000e') ||
      `(no SeriesInstanceUID) ${dirname(path)} ${[text(ds, 'x0020000d'), number(ds, 'x00200011'), modality, text(ds, 'x0008103e')].filter((v) => v !== undefined && v !== '').join(' ')}`.trim(),
    description: text(ds, 'x0008103e') ?? '',
    modality,
    seriesNumber: number(ds, 'x00200011'),
    sopClassUid,
  };
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

/** Frames of one SeriesInstanceUID that cannot share a volume: size, colour, echo, stack, image component. */
function splitKey(f: DicomFrameRef): string {
  const a = f.attributes;
  const { rows, columns } = frameSize(f);
  return [rows, columns, isColour(f), f.info.floatBits ?? '', a.echo ?? '', a.stackId ?? '', a.component ?? ''].join(
    '|',
  );
}

/** Same orientation: every direction cosine within 1e-3 (about 0.06 degree; header values carry noise). */
function sameOrientation(a: DicomFrameRef, b: DicomFrameRef): boolean {
  const u = [...(a.attributes.rowCosine ?? []), ...(a.attributes.columnCosine ?? [])];
  const v = [...(b.attributes.rowCosine ?? []), ...(b.attributes.columnCosine ?? [])];
  return u.length === v.length && u.every((x, i) => Math.abs(x - v[i]!) < 1e-3);
}

/** A short label of what distinguishes a part of a split series. */
function partLabel(f: DicomFrameRef): string {
  const a = f.attributes;
  const { rows, columns } = frameSize(f);
  const bits = [`${columns}x${rows}`];
  if (a.echo !== undefined) bits.push(`echo ${a.echo}`);
  if (a.stackId !== undefined) bits.push(`stack ${a.stackId}`);
  if (a.component !== undefined) bits.push(`image type ${a.component}`);
  if (a.rowCosine && a.columnCosine)
    bits.push(`orientation ${[...a.rowCosine, ...a.columnCosine].map((v) => round(v)).join('\\')}`);
  return bits.join(', ');
}

export function buildSeries(entries: FileEntry[]): DicomSeriesInfo[] {
  const byUid = new Map<string, FileEntry[]>();
  for (const e of entries) {
    const list = byUid.get(e.seriesUid) ?? [];
    list.push(e);
    byUid.set(e.seriesUid, list);
  }
  const out: DicomSeriesInfo[] = [];
  for (const [uid, files] of byUid) {
    const parts: { key: string; frames: DicomFrameRef[] }[] = [];
    const seen = new Set<string>();
    let copies = 0;
    for (const f of files.flatMap((e) => e.frames)) {
      const id = `${f.instanceUid}/${f.frame}`;
      if (seen.has(id)) {
        copies++;
        continue;
      }
      seen.add(id);
      const key = splitKey(f);
      const part = parts.find((p) => p.key === key && sameOrientation(p.frames[0]!, f));
      if (part) part.frames.push(f);
      else parts.push({ key, frames: [f] });
    }
    const head = files[0]!;
    let n = 0;
    for (const { frames } of parts) {
      n++;
      const layout = layoutStack(frames);
      const f0 = frames[0]!;
      const volumes = layout.volumes;
      const nk = volumes[0]!.length;
      const size = frameSize(f0);
      const shape = [size.columns, size.rows, nk];
      if (volumes.length > 1) shape.push(volumes.length);
      if (isColour(f0)) shape.push(3);
      const used = volumes.flat();
      const paths = [...new Set(used.map((f) => f.path))];
      out.push({
        uid,
        key: parts.length > 1 ? `${uid} #${n} (${partLabel(f0)})` : uid,
        description: head.description,
        modality: head.modality,
        seriesNumber: head.seriesNumber,
        sopClassUid: head.sopClassUid,
        files: paths,
        frameCount: used.length,
        shape,
        spacing: layout.spacing,
        origin: layout.origin,
        direction: layout.direction,
        photometricInterpretation: f0.info.photometricInterpretation,
        transferSyntaxes: [...new Set(used.map((f) => f.transferSyntaxUid))],
        oblique: layout.oblique,
        maxSliceDeviation: layout.maxSliceDeviation,
        warnings: [
          ...(parts.length > 1 ? [`series ${uid} was split in ${parts.length} by size/orientation/echo/stack`] : []),
          ...(copies ? [`${copies} frame(s) from copies of the same SOP instance ignored`] : []),
          ...layout.warnings,
        ],
        volumes,
      });
    }
  }
  return out.sort((a, b) => (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0) || (a.key < b.key ? -1 : 1));
}

/** Scans files into series. Unreadable or non-DICOM files are skipped with their reason. */
export async function scanFiles(
  paths: string[],
  options: { keep?: Map<string, ParsedDicom> } = {},
): Promise<DicomScan> {
  const skipped: SkippedFile[] = [];
  const entries: FileEntry[] = [];
  const results = await mapLimit(paths, CONCURRENCY, async (path, order) => {
    try {
      let parsed: ParsedDicom;
      if (options.keep) {
        parsed = parseDicomBytes(path, await readBytes(path));
      } else {
        // scanning needs only the header: read the head of the file, the whole file only when the
        // header is longer than that (large enhanced multi-frame headers) or the head is no dataset
        const head = await readHead(path);
        // the head of a gzip-compressed file is no stream that inflates: take the whole file
        const bytes = isGzip(head.bytes) && !head.whole ? await readBytes(path) : head.bytes;
        const whole = head.whole || bytes !== head.bytes;
        try {
          parsed = parseDicomBytes(path, bytes, { headerOnly: true });
          if (!whole && !pixelDataElement(parsed)) throw new Error('header longer than the head');
        } catch (e) {
          if (whole || (e instanceof FileFormatError && e.reason.startsWith('not a DICOM file'))) throw e;
          parsed = parseDicomBytes(path, await readBytes(path), { headerOnly: true });
        }
      }
      const described = describeFile(parsed, order);
      if ('frames' in described && options.keep) options.keep.set(path, parsed);
      return described;
    } catch (e) {
      if (e instanceof VesaliusError) return { path, reason: e instanceof FileFormatError ? e.reason : e.message };
      throw e;
    }
  });
  for (const r of results) {
    if ('frames' in r) entries.push(r);
    else skipped.push(r);
  }
  const series = buildSeries(entries);
  // Files that look like images but could not be read must not vanish silently from a series.
  const unreadable = skipped.filter((s) => !NOT_IMAGE.some((re) => re.test(s.reason)));
  if (unreadable.length) {
    const note = `${unreadable.length} file(s) in the folder could not be read and are left out (${summariseSkipped(unreadable)})`;
    for (const s of series) s.warnings.push(note);
  }
  return { series, skipped };
}

/** Summarises why nothing was found, for the error message. */
export function summariseSkipped(skipped: SkippedFile[]): string {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} × ${reason}`).join('; ');
}

/** scanDicomFolder with the skipped files too. */
export async function scanDicomFolderWithSkipped(folder: string): Promise<DicomScan> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(folder);
  } catch {
    throw new FileFormatError(folder, 'no such file or folder');
  }
  if (!info.isDirectory()) return scanFiles([folder]);
  return scanFiles(await listFiles(folder));
}

/**
 * Every image series under a folder (recursively; files need no .dcm extension). Throws
 * FileFormatError when the folder holds no DICOM image at all, saying what was found instead.
 */
export async function scanDicomFolder(folder: string): Promise<DicomSeriesInfo[]> {
  const { series, skipped } = await scanDicomFolderWithSkipped(folder);
  if (series.length === 0) {
    throw new FileFormatError(
      folder,
      `no DICOM image series found${skipped.length ? ` (${summariseSkipped(skipped)})` : ' (folder is empty)'}`,
    );
  }
  return series;
}
