import type { PostprocessOptions } from '../infer/postprocess.js';
import type { TrainingConfig } from './config.js';

/** The post-processing a run's config asks for in its inference section (undefined for none given). */
export function inferencePostprocess(
  config: Pick<TrainingConfig, 'inference'> | undefined,
): PostprocessOptions | undefined {
  const inference = config?.inference;
  if (!inference) return undefined;
  return {
    keepLargest: inference.keep_largest,
    removeSmaller: inference.remove_small,
    fillHoles: inference.fill_holes,
  };
}
