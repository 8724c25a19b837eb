/**
 * LUNA16's convention: `annotations.csv` with `seriesuid,coordX,coordY,coordZ,diameter_mm` — nodule
 * centres in world millimetres and their diameters — and one image per series (`<seriesuid>.mhd`, or
 * any readable format named by the series id) in `imagesDir`. Each nodule becomes the voxel box of
 * the cube around its sphere, through that image's own geometry (box-geometry.ts); MetaImage and
 * Vesalius both use LPS, as LUNA16's world coordinates are. Every image of the folder is a case,
 * those without nodules included (they count for false positives per scan).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Image } from '../../io/image.js';
import { caseIdOf } from '../../io/case-id.js';
import { FileFormatError } from '../../util/errors.js';
import { sphereToVoxelBox } from '../box-geometry.js';
import { type BadBoxPolicy, checkBoxes, type DetectionCase, type DetectionDataset } from './dataset.js';

/** Reads LUNA16 annotations (world centres and diameters) through each image's geometry. */
export async function readLuna16Dataset(
  annotations: string,
  imagesDir: string,
  read: (path: string) => Promise<Image>,
  options: { classes?: string[]; badBoxes?: BadBoxPolicy } = {},
): Promise<DetectionDataset> {
  let text: string;
  try {
    text = readFileSync(annotations, 'utf8');
  } catch {
    throw new FileFormatError(annotations, 'cannot read the annotations CSV');
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header =
    lines
      .shift()
      ?.split(',')
      .map((h) => h.trim()) ?? [];
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new FileFormatError(
        annotations,
        `no '${name}' column (LUNA16: seriesuid,coordX,coordY,coordZ,diameter_mm)`,
      );
    return i;
  };
  const [cu, cx, cy, cz, cd] = ['seriesuid', 'coordX', 'coordY', 'coordZ', 'diameter_mm'].map(col) as number[];
  const nodules = new Map<string, number[][]>();
  lines.forEach((l, k) => {
    const c = l.split(',').map((s) => s.trim());
    const v = [c[cx!], c[cy!], c[cz!], c[cd!]].map(Number);
    if (!v.every(Number.isFinite))
      throw new FileFormatError(annotations, `line ${k + 2}: centre and diameter must be numbers`);
    const uid = c[cu!]!;
    if (!nodules.has(uid)) nodules.set(uid, []);
    nodules.get(uid)!.push(v);
  });
  const files = readdirSync(imagesDir).filter((f) => !f.endsWith('.raw') && !f.endsWith('.zraw') && !f.startsWith('.'));
  const byId = new Map(files.map((f) => [caseIdOf(join(imagesDir, f)), join(imagesDir, f)]));
  for (const uid of nodules.keys())
    if (!byId.has(uid)) throw new FileFormatError(annotations, `series ${uid} has no image in ${imagesDir}`);
  const warnings: string[] = [];
  const cases: DetectionCase[] = [];
  for (const [id, path] of [...byId.entries()].sort()) {
    const image = await read(path);
    const found = nodules.get(id) ?? [];
    const boxes = new Float64Array(found.length * 6);
    found.forEach((n, i) => boxes.set(sphereToVoxelBox(n.slice(0, 3), n[3]!, image), i * 6));
    const set = checkBoxes(
      { dims: 3, boxes, labels: new Int32Array(found.length) },
      image.shape.slice(0, 3),
      `${annotations} (${id})`,
      options.badBoxes ?? 'warn',
      warnings,
    );
    cases.push({ id, image: path, boxes: set, source: annotations });
  }
  return { name: 'luna16', dims: 3, classes: options.classes ?? ['nodule'], cases, warnings };
}
