/** What the PACS code needs to know of a Part 10 file: its UIDs, read from the header only. */
import { text } from '../io/dicom/attributes.js';
import { parseDicomBytes } from '../io/dicom/parse.js';
import { FileFormatError } from '../util/errors.js';

export interface InstanceHeader {
  studyUid: string;
  seriesUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  modality: string;
}

/** The UIDs and modality of a file's header; a file without them is a FileFormatError. */
export function instanceHeader(path: string, bytes: Uint8Array): InstanceHeader {
  const { dataSet: ds } = parseDicomBytes(path, bytes, { headerOnly: true });
  const header = {
    studyUid: text(ds, 'x0020000d') ?? '',
    seriesUid: text(ds, 'x0020000e') ?? '',
    sopClassUid: text(ds, 'x00080016') || text(ds, 'x00020002') || '',
    sopInstanceUid: text(ds, 'x00080018') || text(ds, 'x00020003') || '',
    modality: text(ds, 'x00080060') ?? '',
  };
  for (const [key, value] of Object.entries(header))
    if (!value && key !== 'modality')
      throw new FileFormatError(path, `has no ${key.replace(/Uid$/, ' UID')}: it cannot be stored in a PACS`);
  return header;
}
