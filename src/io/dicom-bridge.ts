/**
 * The one place where the generic I/O reaches the DICOM module (src/io/dicom/, built separately).
 * It is imported lazily so that the rest of the I/O works, compiles and tests without it.
 *
 * >>> DICOM CALL SITES: adapt the names below to what src/io/dicom/index.ts exports. <<<
 * Assumed: `readDicom(path)` → Image (one file, or the single series of a folder), and optionally
 * `readDicomFolder(path)` / `scanDicomFolder(path)` → every series of a folder as Images.
 */
import { FileFormatError } from '../util/errors.js';
import type { Image } from './image.js';

interface DicomModule {
  readDicom(path: string): Image | Promise<Image>;
  readDicomFolder?(path: string): Image[] | Promise<Image[]>;
  scanDicomFolder?(path: string): unknown;
}

async function loadDicomModule(path: string): Promise<DicomModule> {
  // A computed specifier keeps the compiler from requiring the module at build time.
  const specifier = './dicom/index.js';
  try {
    return (await import(specifier)) as DicomModule;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new FileFormatError(path, 'looks like DICOM, but DICOM support (src/io/dicom) is not part of this build');
    }
    throw err;
  }
}

/** One DICOM file, or the single series of a folder. */
export async function readDicomImage(path: string): Promise<Image> {
  const mod = await loadDicomModule(path);
  return await mod.readDicom(path);
}

/** Every series found under a folder (for `vesalius info FOLDER`). */
export async function readDicomSeriesList(path: string): Promise<Image[]> {
  const mod = await loadDicomModule(path);
  if (mod.readDicomFolder) return await mod.readDicomFolder(path);
  return [await mod.readDicom(path)];
}
