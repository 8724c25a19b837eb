/**
 * CSV annotations, one box per row: `path,x1,y1,x2,y2,class` (2D) or `path,x1,y1,x2,y2,z1,z2,class`
 * (3D, MONAI's xyxyzz order), coordinates in voxel edges of the image; a header row is optional; an
 * image without objects is a row with its path and nothing else (`path,,,,,`). Paths are relative to
 * the CSV's folder. Image sizes come from the images themselves (for the bad-box checks).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Image } from '../../io/image.js';
import { caseIdOf } from '../../io/case-id.js';
import { FileFormatError } from '../../util/errors.js';
import { convertBoxMode } from '../boxes.js';
import { type BadBoxPolicy, checkBoxes, classIndex, type DetectionDataset, requireImage } from './dataset.js';

/** Reads a CSV of boxes (2D or 3D) with its images. */
export async function readCsvDataset(
  file: string,
  read: (path: string) => Promise<Image>,
  options: { dims: 2 | 3; classes?: string[]; badBoxes?: BadBoxPolicy },
): Promise<DetectionDataset> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new FileFormatError(file, 'cannot read the CSV file');
  }
  const dims = options.dims;
  const width = 2 + 2 * dims;
  const rows = text
    .split(/\r?\n/)
    .map((l, i) => ({ line: i + 1, cells: l.split(',').map((c) => c.trim()) }))
    .filter((r) => r.cells.some((c) => c !== ''));
  if (rows.length && Number.isNaN(Number(rows[0]!.cells[1])) && rows[0]!.cells[1] !== '') rows.shift(); // header
  const order: string[] = [];
  const byPath = new Map<string, { rows: number[]; names: string[] }>();
  for (const { line, cells } of rows) {
    const path = cells[0]!;
    if (!byPath.has(path)) {
      byPath.set(path, { rows: [], names: [] });
      order.push(path);
    }
    if (cells.slice(1).every((c) => c === '')) continue;
    if (cells.length !== width)
      throw new FileFormatError(
        file,
        `line ${line}: expected ${width} columns (path, ${dims === 2 ? 'x1, y1, x2, y2' : 'x1, y1, x2, y2, z1, z2'}, class), got ${cells.length}`,
      );
    const v = cells.slice(1, 1 + 2 * dims).map(Number);
    if (!v.every(Number.isFinite)) throw new FileFormatError(file, `line ${line}: coordinates must be numbers`);
    const e = byPath.get(path)!;
    e.rows.push(...(dims === 3 ? convertBoxMode(v, 3, 'xyxyzz') : v));
    e.names.push(cells[width - 1]!);
  }
  const classes = options.classes ?? [...new Set([...byPath.values()].flatMap((e) => e.names))].sort();
  const warnings: string[] = [];
  const cases = [];
  for (const path of order) {
    const e = byPath.get(path)!;
    const image = requireImage(resolve(dirname(file), path), file);
    const img = await read(image);
    const size = img.shape.slice(0, dims);
    const labels = e.names.map((n) => classIndex(classes, n, file));
    const boxes = checkBoxes(
      { dims, boxes: Float64Array.from(e.rows), labels: Int32Array.from(labels) },
      size,
      `${file} (${path})`,
      options.badBoxes ?? 'warn',
      warnings,
    );
    cases.push({ id: caseIdOf(image), image, boxes, source: file });
  }
  return { name: file, dims, classes, cases, warnings };
}
