"""The volume pydicom reads from DICOM files, in Vesalius' layout, for tests to compare against.

usage: pydicom_volume.py OUTDIR FILE...

For each FILE (gzip-compressed or not, with or without preamble) prints one JSON line with shape
[columns, rows, frames(, 3)], origin, spacing and direction (LPS, direction row-major with columns i, j,
k) and writes OUTDIR/<n>.f64: the values as little-endian float64 in Vesalius order (i fastest; colour
channel slowest). Pixels come from pydicom's pixel_array; PALETTE COLOR through pydicom's
apply_color_lut; grey values through the Real World Value Mapping as highdicom defines it (the first
mapping found at the top level, in the shared, then in the frame's functional groups; a LUT, else
slope and intercept) for parametric maps and float pixel data, else through the modality rescale.
Frames are sorted along the slice normal. Siemens mosaics are cut into tiles with nibabel's CSA reader.
"""
import gzip
import io
import json
import math
import os
import sys

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_color_lut

PARAMETRIC_MAP = '1.2.840.10008.5.1.4.1.1.30'


def load(path):
    raw = open(path, 'rb').read()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    return pydicom.dcmread(io.BytesIO(raw), force=True)


def first_item(ds, keyword):
    seq = ds.get(keyword) if ds is not None else None
    return seq[0] if seq else None


def frame_levels(ds, f):
    shared = first_item(ds, 'SharedFunctionalGroupsSequence')
    per_frame = ds.PerFrameFunctionalGroupsSequence[f] if 'PerFrameFunctionalGroupsSequence' in ds else None
    return shared, per_frame


def functional(ds, f, macro, keyword):
    """A value from the frame's functional group macro, else the shared one, else the top level."""
    shared, per_frame = frame_levels(ds, f)
    for level in (per_frame, shared):
        item = first_item(level, macro)
        if item is not None and keyword in item:
            return item[keyword].value
    return ds.get(keyword)


def value_map(ds, f):
    """(kind, parameters) that turn frame f's stored values into output values."""
    shared, per_frame = frame_levels(ds, f)
    if ds.SOPClassUID == PARAMETRIC_MAP or 'FloatPixelData' in ds or 'DoubleFloatPixelData' in ds:
        for level in (ds, shared, per_frame):
            rwvm = first_item(level, 'RealWorldValueMappingSequence')
            if rwvm is not None:
                if 'RealWorldValueLUTData' in rwvm:
                    return 'lut', (np.array(rwvm.RealWorldValueLUTData, dtype=np.float64),
                                   int(rwvm.RealWorldValueFirstValueMapped))
                return 'linear', (float(rwvm.RealWorldValueSlope), float(rwvm.RealWorldValueIntercept))
    slope = functional(ds, f, 'PixelValueTransformationSequence', 'RescaleSlope')
    intercept = functional(ds, f, 'PixelValueTransformationSequence', 'RescaleIntercept')
    return 'linear', (float(slope) if slope not in (None, '') else 1.0,
                      float(intercept) if intercept not in (None, '') else 0.0)


def mosaic_tiles(ds, frame):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # nibabel calls its DICOM readers experimental
        from nibabel.nicom import csareader
    n = int(csareader.get_n_mosaic(csareader.get_csa_header(ds)))
    per_row = math.ceil(math.sqrt(n))
    tr, tc = ds.Rows // per_row, ds.Columns // per_row
    return np.stack([frame[(t // per_row) * tr:(t // per_row + 1) * tr, (t % per_row) * tc:(t % per_row + 1) * tc]
                     for t in range(n)])


def volume(ds):
    arr = ds.pixel_array
    n = int(ds.get('NumberOfFrames', 1) or 1)
    colour = ds.PhotometricInterpretation == 'PALETTE COLOR' or ds.get('SamplesPerPixel', 1) == 3
    frames = arr if n > 1 else arr[None]
    if ds.PhotometricInterpretation == 'PALETTE COLOR':
        frames = apply_color_lut(frames, ds)
    mosaic = 'MOSAIC' in [str(v).upper() for v in ds.get('ImageType', [])]
    if mosaic:
        frames = mosaic_tiles(ds, frames[0])
    out = frames.astype(np.float64)
    if not colour and not mosaic:
        for f in range(n):
            kind, p = value_map(ds, f)
            if kind == 'lut':
                out[f] = p[0][frames[f].astype(np.int64) - p[1]]
            else:
                out[f] = out[f] * p[0] + p[1]
    elif mosaic:
        slope, intercept = value_map(ds, 0)[1]
        out = out * slope + intercept
    return out, colour, mosaic


def geometry(ds, count):
    """Origin, spacing, direction and frame order from the positions, as a reader without any trick."""
    ipps, iops, spacings = [], [], []
    for f in range(count):
        ipp = functional(ds, f, 'PlanePositionSequence', 'ImagePositionPatient')
        iop = functional(ds, f, 'PlaneOrientationSequence', 'ImageOrientationPatient')
        ps = functional(ds, f, 'PixelMeasuresSequence', 'PixelSpacing')
        ipps.append([float(v) for v in ipp] if ipp else None)
        iops.append([float(v) for v in iop] if iop else None)
        spacings.append([float(v) for v in ps] if ps else None)
    if ipps[0] is None or iops[0] is None:
        return None
    row, col = np.array(iops[0][:3]), np.array(iops[0][3:])
    normal = np.cross(row, col)
    order = sorted(range(count), key=lambda f: float(np.dot(ipps[f], normal)))
    d = [float(np.dot(ipps[f], normal)) for f in order]
    step = (d[-1] - d[0]) / (count - 1) if count > 1 else None
    ps = spacings[0] or [1.0, 1.0]
    direction = np.stack([row, col, normal], axis=1).reshape(-1).tolist()
    return {'origin': ipps[order[0]], 'spacing': [ps[1], ps[0], step], 'direction': direction, 'order': order}


def main():
    outdir, files = sys.argv[1], sys.argv[2:]
    for n, path in enumerate(files):
        ds = load(path)
        values, colour, mosaic = volume(ds)
        count = values.shape[0]
        geo = None if mosaic else geometry(ds, count)
        if geo is not None:
            values = values[geo['order']]
        if colour:
            values = np.moveaxis(values, -1, 0)  # (3, frames, rows, columns)
        values.astype('<f8').tofile(os.path.join(outdir, f'{n}.f64'))
        shape = [int(ds.Columns), int(ds.Rows), count] if not mosaic else [values.shape[2], values.shape[1], count]
        print(json.dumps({
            'shape': shape + ([3] if colour else []),
            'dtype': str(ds.pixel_array.dtype),
            'geometry': geo,
        }))


main()
