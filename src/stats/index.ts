/** Statistics over per-case results: summaries, bootstrap confidence intervals, paired tests. */
export { summarize, type Summary } from './summary.js';
export { bootstrapMeanCi, type BootstrapOptions } from './bootstrap.js';
export { pairedTest, type PairedTestName, type PairedTestOptions, type PairedTestResult } from './paired-test.js';
export { ksTwoSample, kolmogorovSf, type KsResult } from './ks.js';
export { populationStabilityIndex, PSI_SHIFT, type PsiOptions, type PsiResult } from './psi.js';
