/**
 * Pascal VOC: `Annotations/<id>.xml` with `<size>` and `<object><name/><bndbox>xmin ymin xmax ymax`
 * per box, images in `JPEGImages/` (the `<filename>` of the XML), the ids of a split in
 * `ImageSets/Main/<split>.txt`. VOC coordinates are 1-based pixel indices, inclusive; in Vesalius's
 * voxel-edge coordinates the box is [xmin − 1, ymin − 1, xmax, ymax] (detectron2's conversion), so a
 * box over the whole 640-pixel width, xmin 1 … xmax 640, becomes [0, 640]. Objects marked
 * `<difficult>1` are kept (and counted as any other).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { FileFormatError, OptionError } from '../../util/errors.js';
import { type BadBoxPolicy, checkBoxes, classIndex, type DetectionDataset, requireImage } from './dataset.js';

export interface VocOptions {
  /** Split name in ImageSets/Main (default: every XML in Annotations). */
  split?: string;
  /** Class names in order (default: every name found, sorted). */
  classes?: string[];
  badBoxes?: BadBoxPolicy;
}

interface VocObject {
  name?: unknown;
  bndbox?: { xmin?: unknown; ymin?: unknown; xmax?: unknown; ymax?: unknown };
}

const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'object' });

function readXml(path: string): { filename?: string; width: number; height: number; objects: VocObject[] } {
  let doc: { annotation?: { filename?: unknown; size?: { width?: unknown; height?: unknown }; object?: VocObject[] } };
  try {
    doc = parser.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FileFormatError(path, `not a readable VOC XML file (${(err as Error).message.split('\n')[0]})`);
  }
  const a = doc.annotation;
  if (!a) throw new FileFormatError(path, 'no <annotation> element');
  const width = Number(String(a.size?.width ?? '').trim()),
    height = Number(String(a.size?.height ?? '').trim());
  if (!(width > 0 && height > 0)) throw new FileFormatError(path, '<size> needs a positive <width> and <height>');
  return {
    filename: a.filename === undefined ? undefined : String(a.filename).trim(),
    width,
    height,
    objects: a.object ?? [],
  };
}

/** Reads a Pascal VOC folder (a split, or every annotation). */
export function readVocDataset(root: string, options: VocOptions = {}): DetectionDataset {
  const annotations = join(root, 'Annotations');
  let ids: string[];
  if (options.split) {
    const list = join(root, 'ImageSets', 'Main', `${options.split}.txt`);
    let text: string;
    try {
      text = readFileSync(list, 'utf8');
    } catch {
      throw new OptionError('dataset.split', `${list} does not exist`);
    }
    ids = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  } else {
    ids = readdirSync(annotations)
      .filter((f) => f.endsWith('.xml'))
      .map((f) => basename(f, '.xml'))
      .sort();
  }
  const parsed = ids.map((id) => {
    const file = join(annotations, `${id}.xml`);
    return { id, file, xml: readXml(file) };
  });
  const classes =
    options.classes ??
    [...new Set(parsed.flatMap((p) => p.xml.objects.map((o) => String(o.name ?? '').trim())))].filter(Boolean).sort();
  const warnings: string[] = [];
  const cases = parsed.map(({ id, file, xml }) => {
    const rows: number[] = [],
      labels: number[] = [];
    xml.objects.forEach((o, k) => {
      const b = o.bndbox;
      const v = [b?.xmin, b?.ymin, b?.xmax, b?.ymax].map((x) => Number(String(x ?? '').trim()));
      if (!v.every(Number.isFinite)) throw new FileFormatError(file, `object ${k} has no numeric <bndbox>`);
      // xmax = xmin is a zero-width box as annotated (BCCD has two such), not a 1-pixel one: keep it degenerate
      if (v[2]! <= v[0]! || v[3]! <= v[1]!) rows.push(v[0]!, v[1]!, v[2]!, v[3]!);
      else rows.push(v[0]! - 1, v[1]! - 1, v[2]!, v[3]!);
      labels.push(classIndex(classes, String(o.name ?? '').trim(), file));
    });
    const boxes = checkBoxes(
      { dims: 2, boxes: Float64Array.from(rows), labels: Int32Array.from(labels) },
      [xml.width, xml.height],
      file,
      options.badBoxes ?? 'warn',
      warnings,
    );
    const image = requireImage(join(root, 'JPEGImages', xml.filename || `${id}.jpg`), file);
    return { id, image, boxes, source: file };
  });
  return { name: basename(root), dims: 2, classes, cases, warnings };
}
