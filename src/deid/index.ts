/**
 * DICOM de-identification: the PS3.15 Annex E Basic Application Level Confidentiality Profile (Table
 * E.1-1, as data) with its options, keyed UID replacement, private attributes removed (safe ones kept
 * on request), sequences processed recursively, pixel data untouched (with burned-in warnings).
 */
export { deidentify, type DeidSummary } from './deidentify.js';
export { deidentifyBytes, pseudonym, type FilePolicy, type FileResult } from './file.js';
export { activeOptions, BASIC_PROFILE, type DeidOptions } from './options.js';
export { ROWS, rowFor, resolveAction, PRIVATE_ROW, type Action, type OptionKey, type Row } from './table.js';
export { isSafePrivate } from './safe-private.js';
export { burnedInReason } from './burned-in.js';
export { parseDataset, type Element, type Item, type Syntax } from './elements.js';
export type { Tally } from './dataset.js';
