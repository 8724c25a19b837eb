/** Opens a dataset from its description (the `dataset` section of a training config). */
import { resolve } from 'node:path';
import { OptionError } from '../../util/errors.js';
import { type Dataset, classesFromMap } from './dataset.js';
import { type FolderSpec, discoverFolders } from './folders.js';
import { discoverMsd } from './msd.js';

export interface DatasetSpec {
  layout: 'msd' | 'folders';
  root: string;
  name?: string;
  images?: FolderSpec | FolderSpec[];
  labels?: FolderSpec;
  roi?: FolderSpec;
  test?: { images: FolderSpec | FolderSpec[]; labels?: FolderSpec; roi?: FolderSpec };
  classes?: Record<string, number>;
  channels?: string[];
  label_remap?: Record<string, number>;
}

const list = (x: FolderSpec | FolderSpec[]) => (Array.isArray(x) ? x : [x]);

/**
 * Finds the cases of a dataset from its description (the training config's `dataset` section):
 * `msd` reads dataset.json with imagesTr/labelsTr/imagesTs; `folders` matches image, label and ROI
 * folders by the case id their file-name patterns capture. Only names are read here, no voxels.
 *
 * @param spec the layout, root folder, folders or classes (see docs/config.md#dataset)
 * @returns the cases sorted by id, the classes (0 = background, then 1, 2 ...) and channel names
 * @throws OptionError naming the key for a missing or invalid setting; VesaliusError naming the file for
 *   an image without a label, a label without an image, or a folder where nothing matches
 *
 * @example
 * ```ts
 * import { openDataset } from 'vesalius/data';
 * const dataset = openDataset({
 *   layout: 'folders', root: 'DRIVE', classes: { background: 0, vessel: 1 },
 *   images: { dir: 'training/images', pattern: '^(\\d+)_training\\.tif$' },
 *   labels: { dir: 'training/1st_manual', pattern: '^(\\d+)_manual1\\.gif$' },
 * });
 * console.log(dataset.cases.length, dataset.labels);
 * ```
 */
export function openDataset(spec: DatasetSpec): Dataset {
  const labelRemap = spec.label_remap
    ? Object.fromEntries(Object.entries(spec.label_remap).map(([k, v]) => [Number(k), v]))
    : undefined;
  const classes = spec.classes ? classesFromMap(spec.classes, 'dataset.classes') : undefined;
  if (spec.layout === 'msd') {
    const ds = discoverMsd(spec.root, { labels: classes, channels: spec.channels, labelRemap });
    return spec.name ? { ...ds, name: spec.name } : ds;
  }
  if (!spec.images) throw new OptionError('dataset.images', "required when layout is 'folders'");
  if (!classes)
    throw new OptionError('dataset.classes', "required when layout is 'folders' (e.g. {background: 0, vessel: 1})");
  return discoverFolders({
    root: resolve(spec.root),
    name: spec.name,
    classes,
    channels: spec.channels,
    images: list(spec.images),
    labels: spec.labels,
    roi: spec.roi,
    test: spec.test ? { images: list(spec.test.images), labels: spec.test.labels, roi: spec.test.roi } : undefined,
    labelRemap,
  });
}
