import { basename } from 'node:path';
import { IMAGE_EXTENSIONS, imageExtension } from './extensions.js';

/**
 * Name endings dropped from a file name (after its extension) to find the case it belongs to, repeatedly:
 * DRIVE's "01_manual1.gif", "01_test.tif" and "01_test_mask.gif" are all case "01"; nnU-Net's
 * "case_001_0000.nii.gz" is "case_001".
 */
export const DEFAULT_CASE_SUFFIXES = [
  '_0000',
  '_manual1',
  '_manual2',
  '_mask',
  '_test',
  '_training',
  '_seg',
  '_pred',
  '_prediction',
  '_label',
  '_labels',
  '_gt',
  '_probability',
  '_prob',
];

/** The case id of an image file: its name without the image extension and without any of `suffixes` at the end. */
export function caseIdOf(
  path: string,
  suffixes: readonly string[] = DEFAULT_CASE_SUFFIXES,
  extensions: readonly string[] = IMAGE_EXTENSIONS,
): string {
  const name = basename(path);
  const ext = imageExtension(name, extensions);
  let id = ext ? name.slice(0, name.length - ext.length) : name;
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of suffixes) {
      if (id.length > s.length && id.toLowerCase().endsWith(s.toLowerCase())) {
        id = id.slice(0, id.length - s.length);
        changed = true;
      }
    }
  }
  return id;
}
