/**
 * Writes NIfTI-1 / NIfTI-2 headers field by field for tests, independently of src/io/nifti, so the
 * reader is checked against the published layout rather than against its own writer.
 */
export interface HeaderFields {
  version?: 1 | 2;
  littleEndian?: boolean;
  dims: number[];
  datatype: number;
  bitpix: number;
  pixdim?: number[];
  voxOffset?: number;
  sclSlope?: number;
  sclInter?: number;
  qformCode?: number;
  sformCode?: number;
  quatern?: number[];
  qoffset?: number[];
  srow?: number[];
  magic?: string;
}

export function buildNiftiHeader(f: HeaderFields): Buffer {
  const version = f.version ?? 1;
  const le = f.littleEndian ?? true;
  const size = version === 1 ? 348 : 540;
  const voxOffset = f.voxOffset ?? size + 4;
  const buf = Buffer.alloc(size + 4);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dim = [f.dims.length, ...f.dims, ...Array(7 - f.dims.length).fill(1)];
  const pixdim = f.pixdim ?? [1, 1, 1, 1, 1, 1, 1, 1];
  const quatern = f.quatern ?? [0, 0, 0];
  const qoffset = f.qoffset ?? [0, 0, 0];
  const srow = f.srow ?? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  v.setInt32(0, size, le);
  if (version === 1) {
    dim.forEach((d, n) => v.setInt16(40 + 2 * n, d, le));
    v.setInt16(70, f.datatype, le);
    v.setInt16(72, f.bitpix, le);
    pixdim.forEach((p, n) => v.setFloat32(76 + 4 * n, p, le));
    v.setFloat32(108, voxOffset, le);
    v.setFloat32(112, f.sclSlope ?? 0, le);
    v.setFloat32(116, f.sclInter ?? 0, le);
    v.setUint8(123, 2);
    v.setInt16(252, f.qformCode ?? 0, le);
    v.setInt16(254, f.sformCode ?? 0, le);
    [...quatern, ...qoffset].forEach((x, n) => v.setFloat32(256 + 4 * n, x, le));
    srow.forEach((x, n) => v.setFloat32(280 + 4 * n, x, le));
    buf.write(f.magic ?? 'n+1\0', 344, 'latin1');
  } else {
    buf.write(f.magic ?? 'n+2\0\r\n\x1a\n', 4, 'latin1');
    v.setInt16(12, f.datatype, le);
    v.setInt16(14, f.bitpix, le);
    dim.forEach((d, n) => v.setBigInt64(16 + 8 * n, BigInt(d), le));
    pixdim.forEach((p, n) => v.setFloat64(104 + 8 * n, p, le));
    v.setBigInt64(168, BigInt(voxOffset), le);
    v.setFloat64(176, f.sclSlope ?? 0, le);
    v.setFloat64(184, f.sclInter ?? 0, le);
    v.setInt32(344, f.qformCode ?? 0, le);
    v.setInt32(348, f.sformCode ?? 0, le);
    [...quatern, ...qoffset].forEach((x, n) => v.setFloat64(352 + 8 * n, x, le));
    srow.forEach((x, n) => v.setFloat64(400 + 8 * n, x, le));
    v.setInt32(500, 2, le);
  }
  // Single files put the data at vox_offset; a pair's header (vox_offset into the .img) stands alone.
  if (voxOffset > buf.length) return Buffer.concat([buf, Buffer.alloc(voxOffset - buf.length)]);
  return buf;
}

/** Header followed by the voxel bytes. */
export function buildNifti(f: HeaderFields, data: Uint8Array): Buffer {
  return Buffer.concat([buildNiftiHeader(f), data]);
}

/** Bytes of a typed array in the requested byte order. */
export function bytesOf(data: ArrayBufferView & { BYTES_PER_ELEMENT: number }, littleEndian = true): Buffer {
  const b = Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (!littleEndian) {
    if (data.BYTES_PER_ELEMENT === 2) b.swap16();
    if (data.BYTES_PER_ELEMENT === 4) b.swap32();
    if (data.BYTES_PER_ELEMENT === 8) b.swap64();
  }
  return b;
}
