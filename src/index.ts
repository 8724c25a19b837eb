/**
 * Vesalius: deep learning on medical images in TypeScript.
 *
 * Each layer is a namespace here and a subpath of the package (`vesalius/io`, `vesalius/train`, ...);
 * the entry points most programs start from are also exported by name.
 *
 * @example
 * ```ts
 * import { readImage, metrics } from 'vesalius';
 * const image = await readImage('scan.nii.gz');
 * console.log(image.shape, image.spacing);
 * ```
 */
export * as engine from './engine/index.js';
export * as io from './io/index.js';
export * as data from './data/index.js';
export * as transforms from './transforms/index.js';
export * as nets from './nets/index.js';
export * as losses from './losses/index.js';
export * as detection from './detection/index.js';
export * as train from './train/index.js';
export * as infer from './infer/index.js';
export * as metrics from './metrics/index.js';
export * as stats from './stats/index.js';
export * as dicom from './io/dicom/index.js';
export * as baselines from './baselines/index.js';
/** The export layer (named so because `export` is a keyword). */
export * as exporter from './export/index.js';
export * as report from './report/index.js';
export * as explain from './explain/index.js';
export * as deid from './deid/index.js';
export * as pacs from './pacs/index.js';
export * as serve from './serve/index.js';

export { readImage, writeImage, type Image } from './io/index.js';
export { loadConfig, parseConfig, train as trainRun, crossValidate, type TrainingConfig } from './train/index.js';
export { buildReport } from './report/index.js';
export { predictImages } from './infer/index.js';
export { evaluateFolder } from './metrics/index.js';
export { VesaliusError, FileFormatError, OptionError, ShapeError } from './util/errors.js';
export { EngineError } from './engine/errors.js';
