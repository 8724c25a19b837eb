/**
 * Applies Table E.1-1 to a parsed dataset, element by element and into every sequence item: removes
 * (X), empties (Z), replaces with dummies (D), replaces UIDs with keyed ones (U), cleans text (C) or
 * copies the element's bytes unchanged (K, and attributes the table does not list). Private attributes
 * go, except the safe ones with the Retain Safe Private option (and their private creators).
 */
import type { Element, Syntax } from './elements.js';
import { concat, element as encodeElement, elementHeader, sequence } from './encode.js';
import { isSafePrivate } from './safe-private.js';
import { type Action, type OptionKey, PRIVATE_ROW, resolveAction, rowFor } from './table.js';
import {
  cleanText,
  dummyValue,
  identifyingTokens,
  latin1,
  mapUids,
  shiftDates,
  TEXT_VRS,
  textBytes,
} from './values.js';

export interface DatasetPolicy {
  keys: ReadonlySet<OptionKey>;
  /** Key of UID replacement. */
  secret: string;
  shiftDays?: number;
  /** Replacement Patient's Name / Patient ID (pseudonym or given values), when any. */
  patientName?: string;
  patientId?: string;
}

export interface Tally {
  removed: number;
  emptied: number;
  dummied: number;
  uidsReplaced: number;
  cleaned: number;
  privateRemoved: number;
  privateKept: number;
}

export const newTally = (): Tally => ({
  removed: 0,
  emptied: 0,
  dummied: 0,
  uidsReplaced: 0,
  cleaned: 0,
  privateRemoved: 0,
  privateKept: 0,
});

/** Free-text VRs that Clean Structured Content cleans inside the content tree. */
const FREE_TEXT = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);

const PATIENT_NAME = 0x00100010;
const PATIENT_ID = 0x00100020;

export class DatasetRewriter {
  readonly identifiers = new Set<string>();
  readonly tally = newTally();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly policy: DatasetPolicy,
  ) {}

  private actionOf(el: Element): Action | undefined {
    const row = rowFor(el.group, el.element);
    return row ? resolveAction(row, this.policy.keys) : undefined;
  }

  private value(el: Element): Uint8Array {
    return this.bytes.subarray(el.valueStart, el.end);
  }

  /** First pass: the values the profile takes away, whose traces cleaning must remove from free text. */
  collect(elements: Element[]): void {
    for (const el of elements) {
      if (el.items) {
        for (const item of el.items) this.collect(item.elements);
        continue;
      }
      if (el.group % 2 === 1 || !TEXT_VRS.has(el.vr) || el.vr === 'UI') continue;
      const action = this.actionOf(el);
      // what the profile takes away identifies; cleaned text is kept (but a person's name is a name)
      if (action && action !== 'K' && (action !== 'C' || el.vr === 'PN'))
        for (const t of identifyingTokens(this.value(el), el.vr)) this.identifiers.add(t);
    }
  }

  /** Private creators (gggg,00xx) of one dataset level, by group and block. */
  private creators(elements: Element[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const el of elements)
      if (el.group % 2 === 1 && el.element >= 0x10 && el.element <= 0xff)
        out.set(
          `${el.group}/${el.element}`,
          latin1(this.value(el))
            .replace(/[\0 ]+$/, '')
            .trim(),
        );
    return out;
  }

  /** Second pass: the de-identified encoding of `elements`, one byte array per element kept. */
  rewrite(elements: Element[], syntax: Syntax, clean = false): { tag: number; bytes: Uint8Array }[] {
    const out: { tag: number; bytes: Uint8Array }[] = [];
    const creators = this.creators(elements);
    const safe = resolveAction(PRIVATE_ROW, this.policy.keys) === 'C';
    const keptBlocks = new Set<string>();
    const privateKept = new Set<Element>();
    for (const el of elements) {
      if (el.group % 2 === 0 || el.element <= 0xff) continue;
      const block = `${el.group}/${el.element >> 8}`;
      if (safe && isSafePrivate(el.group, el.element, creators.get(block))) {
        privateKept.add(el);
        keptBlocks.add(block);
      }
    }
    for (const el of elements) {
      const tag = el.group * 0x10000 + el.element;
      const raw = () => out.push({ tag, bytes: this.bytes.subarray(el.start, el.end) });
      if (el.group % 2 === 1) {
        const isCreator = el.element >= 0x10 && el.element <= 0xff;
        if (privateKept.has(el) || (isCreator && keptBlocks.has(`${el.group}/${el.element}`))) {
          this.tally.privateKept++;
          raw();
        } else this.tally.privateRemoved++;
        continue;
      }
      // group lengths are retired and would be wrong after the edits
      if (el.element === 0) continue;
      if (tag === PATIENT_NAME && this.policy.patientName !== undefined) {
        out.push({
          tag,
          bytes: encodeElement(el.group, el.element, el.vr, textBytes(this.policy.patientName, 'PN'), syntax),
        });
        continue;
      }
      if (tag === PATIENT_ID && this.policy.patientId !== undefined) {
        out.push({
          tag,
          bytes: encodeElement(el.group, el.element, el.vr, textBytes(this.policy.patientId, 'LO'), syntax),
        });
        continue;
      }
      let action = this.actionOf(el);
      if (action === undefined) action = clean && FREE_TEXT.has(el.vr) ? 'C' : 'K';
      const bytes = this.apply(el, action, syntax, clean);
      if (bytes) out.push({ tag, bytes });
    }
    return out;
  }

  private sequenceOf(el: Element, syntax: Syntax, clean: boolean): Uint8Array {
    const itemSyntax = el.itemSyntax ?? syntax;
    const items = (el.items ?? []).map((item) =>
      concat(this.rewrite(item.elements, itemSyntax, clean).map((e) => e.bytes)),
    );
    return sequence(el.group, el.element, el.vr, items, syntax, itemSyntax);
  }

  private apply(el: Element, action: Action, syntax: Syntax, clean: boolean): Uint8Array | undefined {
    const isSequence = el.items !== undefined;
    switch (action) {
      case 'X':
        this.tally.removed++;
        return undefined;
      case 'Z':
      case 'D':
        if (isSequence || action === 'Z') {
          this.tally.emptied++;
          return elementHeader(el.group, el.element, el.vr, 0, syntax);
        }
        this.tally.dummied++;
        // a dummy UID is a keyed replacement: valid, unique per original, and not the original
        if (el.vr === 'UI')
          return encodeElement(el.group, el.element, 'UI', mapUids(this.value(el), this.policy.secret), syntax);
        return encodeElement(el.group, el.element, el.vr, dummyValue(el.vr, this.value(el).length), syntax);
      case 'U':
        if (isSequence) return this.sequenceOf(el, syntax, clean);
        if (el.vr !== 'UI' && el.vr !== 'UN') {
          this.tally.dummied++;
          return encodeElement(el.group, el.element, el.vr, dummyValue(el.vr, this.value(el).length), syntax);
        }
        this.tally.uidsReplaced++;
        return encodeElement(el.group, el.element, 'UI', mapUids(this.value(el), this.policy.secret), syntax);
      case 'C':
        if (isSequence) return this.sequenceOf(el, syntax, true);
        if (this.policy.shiftDays !== undefined && (el.vr === 'DA' || el.vr === 'DT')) {
          this.tally.cleaned++;
          return encodeElement(
            el.group,
            el.element,
            el.vr,
            shiftDates(this.value(el), el.vr, this.policy.shiftDays),
            syntax,
          );
        }
        // a time of day says nothing without its date; binary values cannot be cleaned: they go
        if (el.vr === 'TM') return this.bytes.subarray(el.start, el.end);
        if (!TEXT_VRS.has(el.vr) || el.vr === 'UI') {
          this.tally.removed++;
          return undefined;
        }
        this.tally.cleaned++;
        return encodeElement(el.group, el.element, el.vr, cleanText(this.value(el), el.vr, this.identifiers), syntax);
      case 'K':
        if (isSequence) return this.sequenceOf(el, syntax, clean);
        return this.bytes.subarray(el.start, el.end);
    }
  }
}
