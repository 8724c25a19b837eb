/**
 * Coded concepts for segment descriptions: SNOMED CT categories (CID 7150), property types (CID 7151
 * and its children: anatomy, lesions, tissues) and laterality modifiers (CID 244) for common
 * structures. Names are matched case-insensitively, ignoring separators and a leading "left"/"right",
 * which becomes a modifier. Anything else is a generic "Tissue / Tissue" segment unless the user
 * supplies codes (see `segmentsFromSpec`).
 */
import { OptionError } from '../../../util/errors.js';

/** A coded concept (Code Sequence macro, PS3.3 Table 8.8-1). */
export interface Code {
  value: string;
  scheme: string;
  meaning: string;
}

const sct = (value: string, meaning: string): Code => ({ value, scheme: 'SCT', meaning });

export const CATEGORY = {
  tissue: sct('85756007', 'Tissue'),
  anatomy: sct('91723000', 'Anatomical Structure'),
  abnormal: sct('49755003', 'Morphologically Abnormal Structure'),
  object: sct('260787004', 'Physical object'),
} as const;

export const LATERALITY = { left: sct('7771000', 'Left'), right: sct('24028007', 'Right') } as const;

type Category = keyof typeof CATEGORY;

/** name → [category, SNOMED code, meaning]; names are normalised (lower case, no separators). */
const TABLE: Record<string, [Category, string, string]> = {
  liver: ['anatomy', '10200004', 'Liver'],
  spleen: ['anatomy', '78961009', 'Spleen'],
  kidney: ['anatomy', '64033007', 'Kidney'],
  pancreas: ['anatomy', '15776009', 'Pancreas'],
  stomach: ['anatomy', '69695003', 'Stomach'],
  gallbladder: ['anatomy', '28231008', 'Gallbladder'],
  urinarybladder: ['anatomy', '89837001', 'Urinary bladder'],
  bladder: ['anatomy', '89837001', 'Urinary bladder'],
  prostate: ['anatomy', '41216001', 'Prostate'],
  heart: ['anatomy', '80891009', 'Heart'],
  brain: ['anatomy', '12738006', 'Brain'],
  lung: ['anatomy', '39607008', 'Lung'],
  aorta: ['anatomy', '15825003', 'Aorta'],
  esophagus: ['anatomy', '32849002', 'Esophagus'],
  oesophagus: ['anatomy', '32849002', 'Esophagus'],
  trachea: ['anatomy', '44567001', 'Trachea'],
  duodenum: ['anatomy', '38848004', 'Duodenum'],
  smallintestine: ['anatomy', '30315005', 'Small intestine'],
  smallbowel: ['anatomy', '30315005', 'Small intestine'],
  colon: ['anatomy', '71854001', 'Colon'],
  rectum: ['anatomy', '34402009', 'Rectum'],
  adrenalgland: ['anatomy', '23451007', 'Adrenal gland'],
  thyroid: ['anatomy', '69748006', 'Thyroid'],
  thyroidgland: ['anatomy', '69748006', 'Thyroid'],
  spinalcord: ['anatomy', '2748008', 'Spinal cord'],
  hippocampus: ['anatomy', '5366008', 'Hippocampus'],
  inferiorvenacava: ['anatomy', '64131007', 'Inferior vena cava'],
  portalvein: ['anatomy', '32764006', 'Portal vein'],
  breast: ['anatomy', '76752008', 'Breast'],
  femur: ['anatomy', '71341001', 'Femur'],
  skull: ['anatomy', '89546000', 'Skull'],
  vertebra: ['anatomy', '51282000', 'Vertebra'],
  lymphnode: ['anatomy', '59441001', 'Lymph node'],
  bloodvessel: ['tissue', '59820001', 'Blood vessel'],
  vessel: ['tissue', '59820001', 'Blood vessel'],
  bone: ['tissue', '3138006', 'Bone'],
  muscle: ['tissue', '91727004', 'Muscle'],
  fat: ['tissue', '55603005', 'Fat'],
  softtissue: ['tissue', '87784001', 'Soft tissue'],
  tissue: ['tissue', '85756007', 'Tissue'],
  lesion: ['abnormal', '52988006', 'Lesion'],
  nodule: ['abnormal', '27925004', 'Nodule'],
  mass: ['abnormal', '4147007', 'Mass'],
  tumor: ['abnormal', '108369006', 'Neoplasm'],
  tumour: ['abnormal', '108369006', 'Neoplasm'],
  neoplasm: ['abnormal', '108369006', 'Neoplasm'],
  cyst: ['abnormal', '367643001', 'Cyst'],
  edema: ['abnormal', '79654002', 'Edema'],
  oedema: ['abnormal', '79654002', 'Edema'],
  necrosis: ['abnormal', '6574001', 'Necrosis'],
  hemorrhage: ['abnormal', '50960005', 'Hemorrhage'],
  haemorrhage: ['abnormal', '50960005', 'Hemorrhage'],
};

const normalise = (name: string) => name.toLowerCase().replace(/[^a-z]/g, '');

/** Category, type and laterality modifier for a structure name, when the table knows it. */
export function codesForName(name: string): { category: Code; type: Code; modifier?: Code } | undefined {
  let key = normalise(name);
  let modifier: Code | undefined;
  for (const side of ['left', 'right'] as const) {
    for (const candidate of [
      key.startsWith(side) ? key.slice(side.length) : '',
      key.endsWith(side) ? key.slice(0, -side.length) : '',
    ]) {
      if (candidate && TABLE[candidate]) {
        key = candidate;
        modifier = LATERALITY[side];
      }
    }
  }
  const entry = TABLE[key];
  if (!entry) return undefined;
  const [category, value, meaning] = entry;
  return { category: CATEGORY[category], type: sct(value, meaning), ...(modifier ? { modifier } : {}) };
}

/** Checks a user-supplied code: value, scheme and meaning all non-empty text. */
export function checkCode(code: unknown, where: string): Code {
  const c = code as Partial<Code> | undefined;
  const ok = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  if (!c || !ok(c.value) || !ok(c.scheme) || !ok(c.meaning))
    throw new OptionError('segments', `${where}: a code needs non-empty "value", "scheme" and "meaning"`);
  return { value: c.value!, scheme: c.scheme!, meaning: c.meaning! };
}

/** A Code Sequence item (naturalised): Code Value (or Long Code Value), scheme and meaning. */
export function codeItem(code: Code): Record<string, string> {
  const item: Record<string, string> = { CodingSchemeDesignator: code.scheme, CodeMeaning: code.meaning.slice(0, 64) };
  // Code Value (SH) holds 16 characters; longer codes go in Long Code Value (UC), URNs in URN Code Value
  if (code.value.length <= 16) item.CodeValue = code.value;
  else if (/^[a-z]+:/i.test(code.value)) item.URNCodeValue = code.value;
  else item.LongCodeValue = code.value;
  return item;
}

/** A one-item code sequence. */
export function codeSequence(code: Code): Record<string, string>[] {
  return [codeItem(code)];
}
