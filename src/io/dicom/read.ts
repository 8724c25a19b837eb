import { stat } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { createImage, type Image, type VoxelArray } from '../image.js';
import { FileFormatError } from '../../util/errors.js';
import { loadCodecs, type StoredArray } from './codecs.js';
import { decodeFramesOf } from './decode-file.js';
import { decodeInWorkers, defaultThreads } from './decode-pool.js';
import { parseDicomBytes, type ParsedDicom } from './parse.js';
import {
  holds,
  linearMap,
  outputType,
  storedRange,
  typeHolding,
  writeLut,
  writeRescaled,
  type OutputCtor,
  type RescaleFrame,
} from './rescale.js';
import { buildSeries, describeFile, listFiles, mapLimit, readBytes, scanDicomFolder, scanFiles } from './scan.js';
import { isSegmentation, readSegmentation } from './seg/read.js';
import { frameSize, isColour, type DicomFrameRef, type DicomSeriesInfo } from './series-info.js';
import { transferSyntax } from './transfer-syntax.js';

export interface ReadDicomOptions {
  /**
   * Keep MONOCHROME1 values as stored. By default they are inverted (stored s → lo + hi − s over the
   * BitsStored range, before rescale) so that, as in MONOCHROME2, larger values are brighter.
   */
  keepMonochrome1?: boolean;
  /** Already parsed files (path → full parse), to avoid reading them twice. */
  parsed?: Map<string, ParsedDicom>;
  /**
   * Threads that decode compressed frames (JPEG, JPEG-LS, JPEG 2000, RLE ...) when a series has 64 or
   * more in several files. Default: the number of cores, at most 4; 1 decodes on this thread.
   */
  threads?: number;
}

const CONCURRENCY = 8;
const WORKER_MIN_FRAMES = 64;

function rangeOf(ref: DicomFrameRef): [number, number] {
  return ref.info.bitsAllocated === 1 ? [0, 1] : storedRange(ref.info.bitsStored, ref.info.pixelRepresentation === 1);
}

/** The smallest integer array type that holds every frame's stored values. */
function storageType(frames: DicomFrameRef[]): OutputCtor {
  let lo = 0,
    hi = 0;
  for (const f of frames) {
    const [a, b] = rangeOf(f);
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
  }
  return typeHolding(lo, hi, 1);
}

async function parseFull(path: string, cache?: Map<string, ParsedDicom>): Promise<ParsedDicom> {
  const cached = cache?.get(path);
  if (cached) return cached;
  return parseDicomBytes(path, await readBytes(path));
}

/** Reads and assembles a series found by scanDicomFolder. Intensities are rescaled (see outputType). */
export async function readDicomSeries(series: DicomSeriesInfo, options: ReadDicomOptions = {}): Promise<Image> {
  const volumes = series.volumes;
  const nk = volumes[0]!.length;
  const nt = volumes.length;
  const all = volumes.flat();
  const f0 = all[0]!;
  const colour = isColour(f0);
  const samplesPerPixel = colour ? 3 : 1;
  const { rows, columns } = frameSize(f0);
  const sliceLength = rows * columns;

  const byFile = new Map<string, DicomFrameRef[]>();
  for (const ref of all) {
    const list = byFile.get(ref.path) ?? [];
    list.push(ref);
    byFile.set(ref.path, list);
  }
  // Decoded frames are views into the file bytes where the encoding allows (little endian, no masking).
  const decoded = new Map<DicomFrameRef, StoredArray>();
  const files = [...byFile];
  const compressed = all.some((f) => transferSyntax(f.transferSyntaxUid)?.codec);
  const threads = options.threads ?? defaultThreads();
  let inWorkers = false;
  if (compressed && threads > 1 && files.length > 1 && all.length >= WORKER_MIN_FRAMES) {
    // Compressed frames cost tens of milliseconds each: decode files on worker threads (which take a
    // few hundred milliseconds to start, hence the minimum).
    const jobs = files.map(([path, refs]) => ({
      path,
      frames: refs.map((r) => ({ frame: r.frame, framesInFile: r.framesInFile, info: r.info, mosaic: r.mosaic })),
    }));
    try {
      const results = await decodeInWorkers(jobs, threads);
      files.forEach(([, refs], i) => refs.forEach((ref, j) => decoded.set(ref, results[i]![j]!)));
      inWorkers = true;
    } catch (e) {
      if (e instanceof FileFormatError) throw e;
      // a worker that cannot start or crashed: decode here instead
    }
  }
  if (!inWorkers) {
    if (compressed) await loadCodecs();
    await mapLimit(files, CONCURRENCY, async ([path, refs]) => {
      const parsed = await parseFull(path, options.parsed);
      for (const [ref, values] of decodeFramesOf(parsed, refs)) decoded.set(ref, values);
    });
  }

  const invert = f0.info.photometricInterpretation === 'MONOCHROME1' && !options.keepMonochrome1;
  const frames: RescaleFrame[] = all.map((ref) => ({
    values: decoded.get(ref)!,
    // Modality LUT rescale applies to grey images only
    transform: {
      slope: colour ? 1 : ref.attributes.slope,
      intercept: colour ? 0 : ref.attributes.intercept,
      invert: invert ? rangeOf(ref) : undefined,
      lut: colour ? undefined : ref.attributes.valueLut,
    },
    headerRange: rangeOf(ref),
  }));
  const floatBits = f0.info.floatBits;
  if (floatBits && f0.attributes.valueLut)
    throw new FileFormatError(f0.path, 'a Real World Value LUT cannot map float pixel data (only slope and intercept)');
  // palette colour: the table's entry width, not the indices', sets the storage
  const palette = f0.info.photometricInterpretation === 'PALETTE COLOR';
  const storage = floatBits
    ? floatBits === 64
      ? Float64Array
      : Float32Array
    : palette
      ? decoded.get(f0) instanceof Uint16Array
        ? Uint16Array
        : Uint8Array
      : storageType(all);
  const choice = outputType(frames, storage);
  const fill = (Output: OutputCtor): { data: VoxelArray; lo: number; hi: number } => {
    const data = new Output(sliceLength * nk * nt * samplesPerPixel);
    let lo = Infinity,
      hi = -Infinity;
    volumes.forEach((volume, t) =>
      volume.forEach((ref, k) => {
        const values = decoded.get(ref)!;
        if (colour) {
          for (let c = 0; c < 3; c++) {
            const base = ((c * nt + t) * nk + k) * sliceLength;
            for (let p = 0; p < sliceLength; p++) data[base + p] = values[3 * p + c]!;
          }
          return;
        }
        const transform = frames[t * nk + k]!.transform;
        const offset = (t * nk + k) * sliceLength;
        if (transform.lut) {
          const outside = writeLut(data, offset, values, transform.lut);
          if (outside !== undefined)
            throw new FileFormatError(
              ref.path,
              `stored value ${outside} is outside the Real World Value LUT (first value mapped ${transform.lut.first}, ${transform.lut.values.length} entries)`,
            );
          return;
        }
        const { a, b } = linearMap(transform);
        const [min, max] = writeRescaled(data, offset, values, a, b, !!choice.fallback);
        lo = Math.min(lo, min);
        hi = Math.max(hi, max);
      }),
    );
    return { data, lo, hi };
  };
  let { data, lo, hi } = fill(choice.type);
  // the values did not fit the optimistic type: redo with the smallest type that holds them
  if (choice.fallback && !holds(choice.type, lo, hi)) ({ data } = fill(typeHolding(lo, hi, storage.BYTES_PER_ELEMENT)));

  const meta: Image['meta'] = {
    format: 'dicom',
    seriesInstanceUid: series.uid,
    seriesDescription: series.description,
    modality: series.modality,
    photometricInterpretation: series.photometricInterpretation,
    transferSyntax: series.transferSyntaxes.join(', '),
    files: series.files.length,
    oblique: series.oblique,
  };
  if (series.seriesNumber !== undefined) meta.seriesNumber = series.seriesNumber;
  if (invert) meta.monochrome1Inverted = true;
  if (series.warnings.length) meta.warnings = series.warnings.join('; ');
  return createImage(data, series.shape, {
    spacing: series.spacing,
    origin: series.origin,
    direction: series.direction,
    meta,
  });
}

function listSeries(series: DicomSeriesInfo[]): string {
  const shown = 8;
  const more = series.length > shown ? ` ... and ${series.length - shown} more` : '';
  return (
    series
      .slice(0, shown)
      .map(
        (s) => `${s.key}${s.description ? ` "${s.description}"` : ''} (${s.files.length} files, ${s.shape.join('x')})`,
      )
      .join('; ') + more
  );
}

/**
 * Reads a DICOM file (all its frames) or a folder holding exactly one image series. A folder with
 * several series is an error that lists them (use scanDicomFolder + readDicomSeries to pick one).
 */
export async function readDicom(path: string, options: ReadDicomOptions = {}): Promise<Image> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch {
    throw new FileFormatError(path, 'no such file or folder');
  }
  if (isFolder) {
    const parsed = new Map<string, ParsedDicom>();
    const { series, skipped } = await scanFiles(await listFiles(path), { keep: parsed });
    if (series.length === 0) {
      const why = skipped.length
        ? skipped.length +
          ' file(s), none an image: ' +
          [...new Set(skipped.map((s) => s.reason))].slice(0, 3).join('; ')
        : 'folder is empty';
      throw new FileFormatError(path, `no DICOM image series found (${why})`);
    }
    if (series.length > 1)
      throw new FileFormatError(
        path,
        `folder holds ${series.length} series, read one at a time: ${listSeries(series)}`,
      );
    return readDicomSeries(series[0]!, { ...options, parsed });
  }
  const parsed = parseDicomBytes(path, await readBytes(path));
  // a segmentation reads as its label map, placed by its own frame positions
  if (isSegmentation(parsed)) return (await readSegmentation(parsed)).image;
  const described = describeFile(parsed, 0);
  if (!('frames' in described)) throw new FileFormatError(path, described.reason);
  const series = buildSeries([described]);
  if (series.length > 1)
    throw new FileFormatError(
      path,
      `file holds ${series.length} stacks that do not form one volume: ${listSeries(series)}`,
    );
  return readDicomSeries(series[0]!, { ...options, parsed: new Map([[path, parsed]]) });
}

/** The folder holding all of a series' files (their longest common directory). */
function commonFolder(files: string[]): string {
  const parts = files.map((f) => dirname(f).split(sep));
  const first = parts[0] ?? [];
  let n = first.length;
  for (const p of parts) {
    let i = 0;
    while (i < n && p[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(sep) || sep;
}

/**
 * Every image series under a folder, each read and assembled (for `vesalius info FOLDER`). Each
 * image's `meta.path` is the folder holding that series' files. Throws when there is no image series
 * (FileFormatError saying what was found) or when a series cannot be decoded.
 */
export async function readDicomFolder(path: string, options: ReadDicomOptions = {}): Promise<Image[]> {
  const series = await scanDicomFolder(path);
  const images: Image[] = [];
  for (const s of series) {
    const image = await readDicomSeries(s, options);
    image.meta.path = commonFolder(s.files);
    images.push(image);
  }
  return images;
}
