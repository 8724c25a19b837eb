/**
 * COCO JSON: `images` (id, file_name, width, height), `annotations` (image_id, category_id, bbox
 * [x, y, w, h] in pixels — already voxel-edge coordinates — and iscrowd), `categories` (id, name).
 * Images are looked up in `imagesDir`. Crowd annotations are not scored the COCO way here: they are
 * skipped with a warning. An annotation naming an unknown image or category is an error.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FileFormatError } from '../../util/errors.js';
import { type BadBoxPolicy, checkBoxes, classIndex, type DetectionDataset, requireImage } from './dataset.js';

interface CocoFile {
  images?: Array<{ id: number | string; file_name: string; width: number; height: number }>;
  annotations?: Array<{ image_id: number | string; category_id: number | string; bbox: number[]; iscrowd?: number }>;
  categories?: Array<{ id: number | string; name: string }>;
}

/** Reads a COCO JSON file with its images in `imagesDir`. */
export function readCocoDataset(
  file: string,
  imagesDir: string,
  options: { classes?: string[]; badBoxes?: BadBoxPolicy } = {},
): DetectionDataset {
  let coco: CocoFile;
  try {
    coco = JSON.parse(readFileSync(file, 'utf8')) as CocoFile;
  } catch (err) {
    throw new FileFormatError(file, `not a readable COCO JSON file (${(err as Error).message})`);
  }
  if (!Array.isArray(coco.images) || !Array.isArray(coco.annotations) || !Array.isArray(coco.categories))
    throw new FileFormatError(file, 'a COCO file needs images, annotations and categories lists');
  const categoryName = new Map(coco.categories.map((c) => [String(c.id), c.name]));
  const classes = options.classes ?? coco.categories.map((c) => c.name);
  const perImage = new Map<string, { rows: number[]; labels: number[] }>(
    coco.images.map((i) => [String(i.id), { rows: [], labels: [] }]),
  );
  const warnings: string[] = [];
  coco.annotations.forEach((a, k) => {
    const entry = perImage.get(String(a.image_id));
    if (!entry) throw new FileFormatError(file, `annotation ${k} names image ${a.image_id}, which is not in images`);
    const name = categoryName.get(String(a.category_id));
    if (name === undefined)
      throw new FileFormatError(file, `annotation ${k} names category ${a.category_id}, which is not in categories`);
    if (a.iscrowd) {
      warnings.push(`${file}: annotation ${k} (image ${a.image_id}) is a crowd region: skipped (crowd-free scoring)`);
      return;
    }
    const [x, y, w, h] = a.bbox ?? [];
    if (![x, y, w, h].every((v) => typeof v === 'number'))
      throw new FileFormatError(file, `annotation ${k} needs bbox [x, y, w, h]`);
    entry.rows.push(x!, y!, x! + w!, y! + h!);
    entry.labels.push(classIndex(classes, name, file));
  });
  const cases = coco.images.map((img) => {
    const e = perImage.get(String(img.id))!;
    const where = `${file} (image ${img.id})`;
    const boxes = checkBoxes(
      { dims: 2, boxes: Float64Array.from(e.rows), labels: Int32Array.from(e.labels) },
      [img.width, img.height],
      where,
      options.badBoxes ?? 'warn',
      warnings,
    );
    const id = basename(img.file_name).replace(/\.[^.]+$/, '');
    return { id, image: requireImage(join(imagesDir, img.file_name), where), boxes, source: where };
  });
  return { name: basename(file), dims: 2, classes, cases, warnings };
}
