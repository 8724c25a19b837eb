/** Statistics over per-case results: summaries, bootstrap confidence intervals, paired tests. */
export { summarize, type Summary } from './summary.js';
export { bootstrapMeanCi, bootstrapStatisticCi, type BootstrapOptions } from './bootstrap.js';
export { pairedTest, type PairedTestName, type PairedTestOptions, type PairedTestResult } from './paired-test.js';
