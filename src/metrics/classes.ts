import { OptionError } from '../util/errors.js';

/** One evaluated class: a single label, or a named region merging several labels (BraTS "WT" = 1,2,3,4). */
export interface ClassSpec {
  name: string;
  labels: number[];
}

/** One class per label, named by its number. */
export function classesFromLabels(labels: Iterable<number>): ClassSpec[] {
  return [...new Set(labels)].sort((a, b) => a - b).map((l) => ({ name: String(l), labels: [l] }));
}

/** Parses a label list "1,2,3" (the --labels option). */
export function parseLabelList(text: string, option = '--labels'): number[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new OptionError(option, `expected labels such as 1,2 — got "${text}"`);
  return parts.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new OptionError(option, `"${s}" is not an integer label`);
    return n;
  });
}

/** Parses named regions "WT=1,2,3,4;TC=1,3,4;ET=4" (the --regions option; ';' or whitespace between regions). */
export function parseRegions(text: string, option = '--regions'): ClassSpec[] {
  const regions: ClassSpec[] = [];
  for (const part of text.split(/[;\s]+/).filter((s) => s !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new OptionError(option, `expected NAME=l1,l2,... — got "${part}"`);
    const name = part.slice(0, eq);
    if (regions.some((r) => r.name === name)) throw new OptionError(option, `region "${name}" is given twice`);
    regions.push({ name, labels: parseLabelList(part.slice(eq + 1), option) });
  }
  if (regions.length === 0) throw new OptionError(option, `no region in "${text}"`);
  return regions;
}
