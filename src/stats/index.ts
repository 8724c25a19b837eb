/** Statistics over per-case results: summaries, bootstrap confidence intervals, paired tests. */
export { summarize, type Summary } from './summary.js';
export { bootstrapCi, bootstrapMeanCi, type BootstrapOptions } from './bootstrap.js';
export { pairedTest, type PairedTestName, type PairedTestOptions, type PairedTestResult } from './paired-test.js';
