/** Segment descriptions from a JSON file (see segmentsFromJson for the forms accepted). */
import { readFileSync } from 'node:fs';
import { FileFormatError } from '../../../util/errors.js';
import { segmentsFromJson, type SegmentSpec } from './segments.js';

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
