/** Segment descriptions from a JSON file (see segmentsFromJson for the forms accepted). */
import { readFileSync } from 'node:fs';
import { FileFormatError } from '../../../util/errors.js';
import { segmentsFromJson, type SegmentSpec } from './segments.js';

/**
 * Reads segment names and codes from a JSON file.
 *
 * @param path - a `{"1": "liver"}` map, a list of specs, or a dataset.json
 * @returns the segment specifications
 * @throws FileFormatError for an unreadable or non-JSON file; OptionError for bad entries
 */
export function readSegmentSpecs(path: string): SegmentSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FileFormatError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FileFormatError(path, `not JSON (${(e as Error).message})`);
  }
  return segmentsFromJson(json);
}
