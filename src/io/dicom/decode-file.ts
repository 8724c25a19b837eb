import { FileFormatError } from '../../util/errors.js';
import { decodeFrameSync, FrameDecodeError, type StoredArray } from './codecs.js';
import { encapsulatedFrames, nativeFrame, pixelDataElement } from './frames.js';
import { cropTile } from './mosaic.js';
import { applyPalette, readPalette } from './palette.js';
import type { ParsedDicom } from './parse.js';
import type { DicomFrameRef } from './series-info.js';
import { transferSyntax } from './transfer-syntax.js';

/** What decoding needs to know of a frame reference (plain data: it crosses to worker threads). */
export type FrameToDecode = Pick<DicomFrameRef, 'frame' | 'framesInFile' | 'info' | 'mosaic'>;

/**
 * Decodes the frames `wanted` of one parsed file, in order: stored values per frame (a tile for a
 * mosaic, RGB for palette colour). Undecodable frames are a FileFormatError naming the file.
 */
export function decodeFramesOf<F extends FrameToDecode>(parsed: ParsedDicom, wanted: F[]): Map<F, StoredArray> {
  const out = new Map<F, StoredArray>();
  const first = wanted[0]!;
  const ts = transferSyntax(parsed.transferSyntaxUid)!;
  if (!pixelDataElement(parsed)) throw new FileFormatError(parsed.path, 'no Pixel Data (7FE0,0010)');
  const codestreams = ts.codec ? encapsulatedFrames(parsed, first.framesInFile, ts.codec) : undefined;
  const pixels = first.info.rows * first.info.columns * first.info.samplesPerPixel;
  const decodeOne = (frame: number): StoredArray => {
    const stored = codestreams
      ? { bytes: codestreams[frame]!, bitOffset: 0 }
      : nativeFrame(parsed, first.info, first.framesInFile, frame);
    try {
      const values = decodeFrameSync(parsed.transferSyntaxUid, stored.bytes, first.info, {
        bitOffset: stored.bitOffset,
      });
      if (values.length !== pixels)
        throw new FrameDecodeError(`decoded to ${values.length} samples, expected ${pixels}`);
      return values;
    } catch (e) {
      if (e instanceof FrameDecodeError) throw new FileFormatError(parsed.path, `frame ${frame + 1}: ${e.message}`);
      throw e;
    }
  };
  if (first.info.photometricInterpretation === 'PALETTE COLOR') {
    const palette = readPalette(parsed.path, parsed.dataSet);
    for (const ref of wanted) out.set(ref, applyPalette(decodeOne(ref.frame), palette));
    return out;
  }
  if (first.mosaic) {
    // every tile comes out of the one mosaic frame
    const whole = decodeOne(0);
    for (const ref of wanted) out.set(ref, cropTile(whole, first.info.columns, first.mosaic, ref.frame));
    return out;
  }
  for (const ref of wanted) out.set(ref, decodeOne(ref.frame));
  return out;
}
