import { createRequire } from 'node:module';
import { expandYbr422, planarToInterleaved, ybrFullToRgb } from './color.js';
import type { FrameInfo } from './pixel-module.js';
import { describeTransferSyntax, transferSyntax, type FrameCodec } from './transfer-syntax.js';

/** Stored pixel values of one frame, samples interleaved (RGB for colour), before rescale. */
export type StoredArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** A frame that cannot be decoded; the caller adds the file name. */
export class FrameDecodeError extends Error {
  override name = 'FrameDecodeError';
}

interface CodecContext {
  getDecodedBuffer(): Uint8Array | undefined;
}
interface NativeCodecsApi {
  initializeAsync(): Promise<void>;
  isInitialized(): boolean;
  decodeRle(c: unknown, p?: object): CodecContext;
  decodeJpeg(c: unknown, p?: object): CodecContext;
  decodeJpegLs(c: unknown, p?: object): CodecContext;
  decodeJpeg2000(c: unknown, p?: object): CodecContext;
  decodeHtJpeg2000(c: unknown, p?: object): CodecContext;
  decodeJpegXl(c: unknown, p?: object): CodecContext;
}
interface CodecsModule {
  NativeCodecs: NativeCodecsApi;
  Context: new (attrs: object) => unknown;
}

let codecs: CodecsModule | undefined;
let loading: Promise<CodecsModule> | undefined;

/**
 * Loads the dcmjs-codecs WebAssembly (once). Needed before decoding encapsulated frames.
 * @internal
 */
export function loadCodecs(): Promise<CodecsModule> {
  if (codecs) return Promise.resolve(codecs);
  loading ??= (async () => {
    // dcmjs-codecs is a UMD/CommonJS bundle that locates its .wasm beside itself via __dirname
    const mod = createRequire(import.meta.url)('dcmjs-codecs') as CodecsModule;
    if (!mod.NativeCodecs.isInitialized()) await mod.NativeCodecs.initializeAsync();
    codecs = mod;
    return mod;
  })();
  return loading;
}

function decodeWithCodec(codec: FrameCodec, bytes: Uint8Array, info: FrameInfo, lossyJpeg: boolean): Uint8Array {
  if (!codecs) throw new Error('loadCodecs() must complete before decoding encapsulated frames');
  const { NativeCodecs, Context } = codecs;
  const context = new Context({
    width: info.columns,
    height: info.rows,
    bitsAllocated: info.bitsAllocated,
    bitsStored: info.bitsStored,
    samplesPerPixel: info.samplesPerPixel,
    pixelRepresentation: info.pixelRepresentation,
    planarConfiguration: info.planarConfiguration,
    photometricInterpretation: info.photometricInterpretation,
    encodedBuffer: bytes,
  });
  // libjpeg converts to RGB itself when asked, from the colour space its markers declare. Lossy JPEG
  // labelled RGB is often YCbCr inside (as dcmjs-codecs assumes for baseline); lossless RGB is RGB.
  const colour = {
    convertColorspaceToRgb: info.samplesPerPixel === 3 && (lossyJpeg || info.photometricInterpretation !== 'RGB'),
  };
  let result: CodecContext;
  try {
    switch (codec) {
      case 'rle':
        result = NativeCodecs.decodeRle(context);
        break;
      case 'jpeg':
        result = NativeCodecs.decodeJpeg(context, colour);
        break;
      case 'jpegls':
        result = NativeCodecs.decodeJpegLs(context);
        break;
      case 'jpeg2000':
        result = NativeCodecs.decodeJpeg2000(context);
        break;
      case 'htj2k':
        result = NativeCodecs.decodeHtJpeg2000(context);
        break;
      case 'jpegxl':
        result = NativeCodecs.decodeJpegXl(context);
        break;
    }
  } catch (e) {
    throw new FrameDecodeError(`${codec} codestream cannot be decoded (${(e as Error).message ?? e})`);
  }
  const out = result.getDecodedBuffer();
  if (!out) throw new FrameDecodeError(`${codec} decoder returned no pixels`);
  return out;
}

/**
 * Little- or big-endian bytes → typed array of BitsAllocated-wide unsigned words. A copy, unless
 * `view` allows a view into `bytes` (little endian, aligned): the caller then must not modify it.
 */
function wordsFromBytes(
  bytes: Uint8Array,
  bitsAllocated: number,
  count: number,
  littleEndian: boolean,
  view = false,
): Uint8Array | Uint16Array | Uint32Array {
  const width = bitsAllocated / 8;
  if (bytes.length < count * width)
    throw new FrameDecodeError(`frame has ${bytes.length} bytes, expected ${count * width}`);
  if (view && littleEndian && bytes.byteOffset % width === 0) {
    if (width === 1) return bytes.subarray(0, count);
    return width === 2
      ? new Uint16Array(bytes.buffer, bytes.byteOffset, count)
      : new Uint32Array(bytes.buffer, bytes.byteOffset, count);
  }
  if (bitsAllocated === 8) return bytes.slice(0, count);
  const copy = bytes.slice(0, count * width);
  if (!littleEndian) {
    for (let i = 0; i < copy.length; i += width) {
      if (width === 2) {
        const t = copy[i]!;
        copy[i] = copy[i + 1]!;
        copy[i + 1] = t;
      } else {
        let t = copy[i]!;
        copy[i] = copy[i + 3]!;
        copy[i + 3] = t;
        t = copy[i + 1]!;
        copy[i + 1] = copy[i + 2]!;
        copy[i + 2] = t;
      }
    }
  }
  return width === 2 ? new Uint16Array(copy.buffer, 0, count) : new Uint32Array(copy.buffer, 0, count);
}

/** IEEE floats of either byte order → a Float32Array or Float64Array of their own (a copy). */
function floatsFromBytes(
  bytes: Uint8Array,
  bits: 32 | 64,
  count: number,
  littleEndian: boolean,
): Float32Array | Float64Array {
  const width = bits / 8;
  if (bytes.length < count * width)
    throw new FrameDecodeError(`frame has ${bytes.length} bytes, expected ${count * width}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * width);
  const out = bits === 32 ? new Float32Array(count) : new Float64Array(count);
  if (bits === 32) for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, littleEndian);
  else for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, littleEndian);
  return out;
}

function unpackBits(bytes: Uint8Array, bitOffset: number, count: number): Uint8Array {
  if (bytes.length * 8 < bitOffset + count)
    throw new FrameDecodeError(`1-bit frame needs ${Math.ceil((bitOffset + count) / 8)} bytes, has ${bytes.length}`);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = bitOffset + i;
    out[i] = (bytes[bit >> 3]! >> (bit & 7)) & 1;
  }
  return out;
}

/**
 * Keeps the BitsStored bits ending at HighBit (PS3.5 8.1.1) and, for PixelRepresentation 1,
 * sign-extends them; returns a signed array for signed data. `shift` is HighBit+1-BitsStored.
 */
function applyBitsStored(words: Uint8Array | Uint16Array | Uint32Array, info: FrameInfo, shift: number): StoredArray {
  const bits = info.bitsStored;
  const signed = info.pixelRepresentation === 1;
  const full = bits === info.bitsAllocated && shift === 0;
  if (full) {
    if (!signed) return words;
    if (words instanceof Uint8Array) return new Int8Array(words.buffer, words.byteOffset, words.length);
    if (words instanceof Uint16Array) return new Int16Array(words.buffer, words.byteOffset, words.length);
    return new Int32Array(words.buffer, words.byteOffset, words.length);
  }
  const mask = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
  const n = words.length;
  if (!signed) {
    for (let i = 0; i < n; i++) words[i] = (words[i]! >>> shift) & mask;
    return words;
  }
  const signBit = 2 ** (bits - 1);
  const range = 2 ** bits;
  const out =
    words instanceof Uint8Array
      ? new Int8Array(words.buffer, words.byteOffset, n)
      : words instanceof Uint16Array
        ? new Int16Array(words.buffer, words.byteOffset, n)
        : new Int32Array(words.buffer, words.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const v = (words[i]! >>> shift) & mask;
    out[i] = v >= signBit ? v - range : v;
  }
  return out;
}

/** Native frame words as stored: YBR_FULL_422 keeps its subsampled sample count. */
function nativeSampleCount(info: FrameInfo): number {
  const pixels = info.rows * info.columns;
  if (info.samplesPerPixel === 1) return pixels;
  return info.photometricInterpretation === 'YBR_FULL_422' ? pixels * 2 : pixels * 3;
}

function toRgb(
  samples: StoredArray,
  info: FrameInfo,
  opts: { planar: boolean; ybr: 'full' | '422' | 'none' },
): StoredArray {
  if (info.samplesPerPixel !== 3) return samples;
  if (!(samples instanceof Uint8Array || samples instanceof Uint16Array)) {
    throw new FrameDecodeError('signed or 32-bit colour pixel data is not supported');
  }
  const pixels = info.rows * info.columns;
  let rgb: Uint8Array | Uint16Array = samples;
  if (opts.ybr === '422') rgb = expandYbr422(rgb, info.rows, info.columns);
  else if (opts.planar) rgb = planarToInterleaved(rgb, pixels);
  if (opts.ybr !== 'none') rgb = ybrFullToRgb(rgb, info.bitsStored);
  return rgb;
}

export interface DecodeFrameOptions {
  /** Bit index of the frame's first pixel, for BitsAllocated 1 native data. */
  bitOffset?: number;
}

/**
 * Decodes one frame to stored values (masked to BitsStored, sign-extended when signed, colour as
 * interleaved RGB). Native syntaxes take the frame's raw bytes; encapsulated ones one codestream.
 * Native little-endian frames that need no change come back as views into `frameBytes` (no copy).
 * Call (and await) loadCodecs() once before decoding encapsulated frames.
 */
export function decodeFrameSync(
  transferSyntaxUid: string,
  frameBytes: Uint8Array,
  info: FrameInfo,
  options: DecodeFrameOptions = {},
): StoredArray {
  const ts = transferSyntax(transferSyntaxUid);
  if (!ts) throw new FrameDecodeError(`unsupported transfer syntax ${describeTransferSyntax(transferSyntaxUid)}`);
  // PALETTE COLOR frames decode to their stored indices; the caller maps them through the palette
  const pi = info.photometricInterpretation;
  if (info.floatBits) {
    if (ts.codec) throw new FrameDecodeError(`float pixel data cannot be encapsulated (${ts.name})`);
    return floatsFromBytes(frameBytes, info.floatBits, info.rows * info.columns, ts.littleEndian);
  }
  if (!ts.codec) {
    if (info.bitsAllocated === 1) {
      return unpackBits(frameBytes, options.bitOffset ?? 0, info.rows * info.columns * info.samplesPerPixel);
    }
    // Grey or RGB data with every bit used needs no change: read it in place, without a copy.
    const untouched =
      info.bitsStored === info.bitsAllocated &&
      info.highBit === info.bitsAllocated - 1 &&
      (info.samplesPerPixel === 1 || (pi === 'RGB' && info.planarConfiguration === 0));
    const words = wordsFromBytes(frameBytes, info.bitsAllocated, nativeSampleCount(info), ts.littleEndian, untouched);
    const stored = applyBitsStored(words, info, info.highBit + 1 - info.bitsStored);
    const ybr = pi === 'YBR_FULL' ? 'full' : pi === 'YBR_FULL_422' ? '422' : 'none';
    return toRgb(stored, info, { planar: info.planarConfiguration === 1, ybr });
  }
  if (info.bitsAllocated === 1 || info.bitsAllocated === 32) {
    throw new FrameDecodeError(`Bits Allocated ${info.bitsAllocated} is not supported with ${ts.name}`);
  }
  const lossyJpeg = ts.uid === '1.2.840.10008.1.2.4.50' || ts.uid === '1.2.840.10008.1.2.4.51';
  const decoded = decodeWithCodec(ts.codec, frameBytes, info, lossyJpeg);
  const expected = info.rows * info.columns * info.samplesPerPixel;
  // the decoder's output is a fresh buffer of ours: view it (and mask it in place) without a copy
  const words = wordsFromBytes(decoded, info.bitsAllocated, expected, true, true);
  const stored = applyBitsStored(words, info, 0);
  // RLE keeps the encoded colour space and sample order (segments are planes: planar output);
  // libjpeg converts to RGB itself; JPEG-LS and JPEG 2000 (RCT/ICT) return RGB or what was encoded
  const ybrLeft = ts.codec === 'jpeg' ? false : pi === 'YBR_FULL' || pi === 'YBR_FULL_422';
  return toRgb(stored, info, {
    planar: ts.codec === 'rle' ? info.planarConfiguration === 1 : false,
    ybr: ybrLeft ? 'full' : 'none',
  });
}

/** decodeFrame: the single frame-decoding entry point (loads the codecs on first use). */
export async function decodeFrame(
  transferSyntaxUid: string,
  frameBytes: Uint8Array,
  info: FrameInfo,
  options: DecodeFrameOptions = {},
): Promise<StoredArray> {
  if (transferSyntax(transferSyntaxUid)?.codec) await loadCodecs();
  return decodeFrameSync(transferSyntaxUid, frameBytes, info, options);
}
