/** Statistics over per-case results: summaries, bootstrap confidence intervals, paired tests, comparisons of methods. */
export { summarize, type Summary } from './summary.js';
export { bootstrapCi, bootstrapMeanCi, type BootstrapOptions } from './bootstrap.js';
export { pairedTest, type PairedTestName, type PairedTestOptions, type PairedTestResult } from './paired-test.js';
export {
  wilcoxon,
  signedRankDistribution,
  averageRanks,
  type WilcoxonResult,
  type WilcoxonMode,
  type Alternative,
} from './wilcoxon.js';
export { holm } from './holm.js';
export { comparePaired, type PairedComparison, type PairedComparisonOptions } from './paired-comparison.js';
export { parsePerCaseTable, readPerCaseTable, type PerCaseTable } from './per-case-table.js';
export {
  compareTables,
  type Comparison,
  type ComparisonRow,
  type CompareOptions,
  type MissingCases,
} from './compare-tables.js';
export { comparisonCells, comparisonCsv, comparisonText, formatP, COMPARISON_COLUMNS } from './comparison-output.js';
export { ksTwoSample, kolmogorovSf, type KsResult } from './ks.js';
export { populationStabilityIndex, PSI_SHIFT, type PsiOptions, type PsiResult } from './psi.js';
