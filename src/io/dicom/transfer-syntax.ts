/**
 * DICOM transfer syntaxes (PS3.5 §10 and Annex A): how a dataset is encoded and, for encapsulated
 * syntaxes, which codec decodes its frames.
 */
export type FrameCodec = 'rle' | 'jpeg' | 'jpegls' | 'jpeg2000' | 'htj2k' | 'jpegxl';

export interface TransferSyntax {
  uid: string;
  name: string;
  explicitVR: boolean;
  littleEndian: boolean;
  deflated: boolean;
  /** Undefined for native (uncompressed) pixel data. */
  codec?: FrameCodec;
}

function native(
  uid: string,
  name: string,
  explicitVR: boolean,
  littleEndian: boolean,
  deflated = false,
): TransferSyntax {
  return { uid, name, explicitVR, littleEndian, deflated };
}

function encapsulated(uid: string, name: string, codec: FrameCodec): TransferSyntax {
  return { uid, name, explicitVR: true, littleEndian: true, deflated: false, codec };
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';

const SUPPORTED: TransferSyntax[] = [
  native(IMPLICIT_VR_LITTLE_ENDIAN, 'Implicit VR Little Endian', false, true),
  native(EXPLICIT_VR_LITTLE_ENDIAN, 'Explicit VR Little Endian', true, true),
  native(EXPLICIT_VR_BIG_ENDIAN, 'Explicit VR Big Endian', true, false),
  native(DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, 'Deflated Explicit VR Little Endian', true, true, true),
  encapsulated('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle'),
  encapsulated('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg'),
  encapsulated('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg'),
  encapsulated('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg'),
  encapsulated(
    '1.2.840.10008.1.2.4.70',
    'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)',
    'jpeg',
  ),
  encapsulated('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpegls'),
  encapsulated('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless)', 'jpegls'),
  encapsulated('1.2.840.10008.1.2.4.90', 'JPEG 2000 (Lossless Only)', 'jpeg2000'),
  encapsulated('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg2000'),
  encapsulated('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 (Lossless Only)', 'htj2k'),
  encapsulated('1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)', 'htj2k'),
  encapsulated('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000', 'htj2k'),
  encapsulated('1.2.840.10008.1.2.4.110', 'JPEG XL Lossless', 'jpegxl'),
  encapsulated('1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression', 'jpegxl'),
  encapsulated('1.2.840.10008.1.2.4.112', 'JPEG XL', 'jpegxl'),
];

/** Names of syntaxes we recognise but cannot decode, so that errors can say what the file is. */
const UNSUPPORTED_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.4.52': 'JPEG Extended (Process 3 & 5, retired)',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection, Non-Hierarchical (retired)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression, Non-Hierarchical (retired)',
  '1.2.840.10008.1.2.4.58': 'JPEG Lossless, Non-Hierarchical (Process 15, retired)',
  '1.2.840.10008.1.2.4.91.1': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.101': 'MPEG2 Main Profile / High Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.104': 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video',
  '1.2.840.10008.1.2.4.105': 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video',
  '1.2.840.10008.1.2.4.106': 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 Main Profile / Level 5.1',
  '1.2.840.10008.1.2.4.108': 'HEVC/H.265 Main 10 Profile / Level 5.1',
  '1.2.840.10008.1.2.6.1': 'RFC 2557 MIME encapsulation (retired)',
  '1.2.840.10008.1.2.6.2': 'XML Encoding (retired)',
  '1.2.840.10008.1.2.7.1': 'SMPTE ST 2110-20 Uncompressed Progressive Active Video',
  '1.2.840.10008.1.2.8.1': 'Deflated Image Frame Compression',
};

const BY_UID = new Map(SUPPORTED.map((ts) => [ts.uid, ts]));

/** The transfer syntax for a UID, or undefined when this reader cannot decode it. */
export function transferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid.replace(/\0+$/, '').trim());
}

/** A human name for any transfer syntax UID (for messages): "JPIP Referenced (1.2.840...)". */
export function describeTransferSyntax(uid: string): string {
  const clean = uid.replace(/\0+$/, '').trim();
  const name = BY_UID.get(clean)?.name ?? UNSUPPORTED_NAMES[clean];
  return name ? `${name} (${clean})` : `unknown transfer syntax ${clean}`;
}
