/**
 * Looking up Table E.1-1 and resolving an attribute's action under the chosen options. Compound
 * actions are resolved the way that conforms whatever the attribute's type in its IOD: X/Z → Z (an
 * empty value suits types 2 and 3), X/D, Z/D and X/Z/D → D (a dummy suits every type), X/Z/U* → U
 * (the sequence stays and every UID inside is replaced). Where several active options name an
 * attribute, the least destructive action wins (K over C).
 */
import { TABLE_E1_1 } from './table-e1-1.js';

export type Action = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U';
export type OptionKey =
  | 'safe'
  | 'uids'
  | 'device'
  | 'institution'
  | 'patient'
  | 'fulldates'
  | 'moddates'
  | 'desc'
  | 'struct'
  | 'graph';

export interface Row {
  /** 8 hex digits, or a pattern (50XXXXXX, 60XXeeee, PRIVATE). */
  tag: string;
  name: string;
  basic: string;
  options: Partial<Record<OptionKey, string>>;
}

function parseTable(text: string): Row[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [tag, basic, opts, ...name] = line.split(' ');
      const options: Partial<Record<OptionKey, string>> = {};
      if (opts !== '-')
        for (const pair of opts!.split(',')) {
          const [key, action] = pair.split('=');
          options[key as OptionKey] = action!;
        }
      return { tag: tag!, basic: basic!, options, name: name.join(' ') };
    });
}

export const ROWS: readonly Row[] = parseTable(TABLE_E1_1);
const BY_TAG = new Map(ROWS.filter((r) => /^[0-9A-F]{8}$/.test(r.tag)).map((r) => [Number.parseInt(r.tag, 16), r]));
const CURVE = ROWS.find((r) => r.tag === '50XXXXXX')!;
const OVERLAY = new Map(
  ROWS.filter((r) => r.tag.startsWith('60XX')).map((r) => [Number.parseInt(r.tag.slice(4), 16), r]),
);
export const PRIVATE_ROW = ROWS.find((r) => r.tag === 'PRIVATE')!;

/** The table's row for a standard (even-group) tag, including the repeating curve and overlay groups. */
export function rowFor(group: number, element: number): Row | undefined {
  const exact = BY_TAG.get(group * 0x10000 + element);
  if (exact) return exact;
  if (group >= 0x5000 && group <= 0x50ff && group % 2 === 0) return CURVE;
  if (group >= 0x6000 && group <= 0x60ff && group % 2 === 0) return OVERLAY.get(element);
  return undefined;
}

const RANK: Record<string, number> = { K: 2, C: 1 };

/** The action for `row` with the `active` options (see the module comment for compound actions). */
export function resolveAction(row: Row, active: ReadonlySet<OptionKey>): Action {
  let chosen: string | undefined;
  for (const [key, action] of Object.entries(row.options) as [OptionKey, string][]) {
    if (!active.has(key)) continue;
    if (chosen === undefined || (RANK[action] ?? 0) > (RANK[chosen] ?? 0)) chosen = action;
  }
  const action = chosen ?? row.basic;
  switch (action) {
    case 'X/Z':
      return 'Z';
    case 'X/D':
    case 'Z/D':
    case 'X/Z/D':
      return 'D';
    case 'X/Z/U*':
      return 'U';
    case 'D':
    case 'Z':
    case 'X':
    case 'K':
    case 'C':
    case 'U':
      return action;
    default:
      throw new RangeError(`Table E.1-1 action "${action}" of ${row.name} is not known`);
  }
}
