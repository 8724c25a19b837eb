/**
 * SR content items (PS3.3 C.17.3) as naturalised dataset items: containers, codes, text, UID
 * references, numbers with units, image references. The relationship type is the one from the parent.
 */
import type { DicomDataset } from '../write/dataset.js';
import { type Code, codeSequence } from '../seg/codes.js';
import { decimalString } from '../write/values.js';

export type Relationship = 'CONTAINS' | 'HAS CONCEPT MOD' | 'HAS OBS CONTEXT' | 'HAS PROPERTIES' | 'INFERRED FROM';

export type ContentItem = DicomDataset;

function base(relationship: Relationship | undefined, valueType: string, concept: Code | undefined): ContentItem {
  const item: ContentItem = {};
  if (relationship) item.RelationshipType = relationship;
  item.ValueType = valueType;
  if (concept) item.ConceptNameCodeSequence = codeSequence(concept);
  return item;
}

export function container(
  relationship: Relationship | undefined,
  concept: Code,
  children: ContentItem[],
  template?: string,
): ContentItem {
  const item = base(relationship, 'CONTAINER', concept);
  item.ContinuityOfContent = 'SEPARATE';
  if (template) item.ContentTemplateSequence = [{ MappingResource: 'DCMR', TemplateIdentifier: template }];
  if (children.length) item.ContentSequence = children;
  return item;
}

export function codeItem(
  relationship: Relationship,
  concept: Code,
  value: Code,
  children: ContentItem[] = [],
): ContentItem {
  const item = base(relationship, 'CODE', concept);
  item.ConceptCodeSequence = codeSequence(value);
  if (children.length) item.ContentSequence = children;
  return item;
}

export function textItem(relationship: Relationship, concept: Code, value: string): ContentItem {
  const item = base(relationship, 'TEXT', concept);
  item.TextValue = value;
  return item;
}

export function uidItem(relationship: Relationship, concept: Code, uid: string): ContentItem {
  const item = base(relationship, 'UIDREF', concept);
  item.UID = uid;
  return item;
}

export function numItem(relationship: Relationship, concept: Code, value: number, unit: Code): ContentItem {
  const item = base(relationship, 'NUM', concept);
  item.MeasuredValueSequence = [
    { NumericValue: decimalString(value), MeasurementUnitsCodeSequence: codeSequence(unit) },
  ];
  return item;
}

export interface ImageReference {
  sopClassUid: string;
  sopInstanceUid: string;
  frameNumber?: number;
  segmentNumber?: number;
}

export function imageItem(relationship: Relationship, concept: Code | undefined, ref: ImageReference): ContentItem {
  const item = base(relationship, 'IMAGE', concept);
  const sop: DicomDataset = {
    ReferencedSOPClassUID: ref.sopClassUid,
    ReferencedSOPInstanceUID: ref.sopInstanceUid,
  };
  if (ref.frameNumber !== undefined) sop.ReferencedFrameNumber = ref.frameNumber;
  if (ref.segmentNumber !== undefined) sop.ReferencedSegmentNumber = ref.segmentNumber;
  item.ReferencedSOPSequence = [sop];
  return item;
}
