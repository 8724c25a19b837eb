// dcmjs ships no type declarations; these cover the parts Vesalius and its tests use.
declare module 'dcmjs' {
  /** A DICOM element as dcmjs holds it in a denaturalised dictionary. */
  export interface DicomElement {
    vr: string;
    Value: unknown[];
    InlineBinary?: string;
    BulkDataURI?: string;
  }
  export type DenaturalizedDataset = Record<string, DicomElement>;
  // Naturalised datasets are dynamic JSON keyed by keyword; callers narrow what they read.
  // biome-ignore lint/suspicious/noExplicitAny: dcmjs values are untyped JSON
  export type NaturalizedDataset = Record<string, any>;

  export class DicomDict {
    constructor(meta: DenaturalizedDataset);
    meta: DenaturalizedDataset;
    dict: DenaturalizedDataset;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }
  export const DicomMessage: {
    readFile(
      buffer: ArrayBuffer,
      options?: { ignoreErrors?: boolean; untilTag?: string; includeUntilTagValue?: boolean },
    ): DicomDict;
  };
  export const DicomMetaDictionary: {
    naturalizeDataset(dataset: DenaturalizedDataset): NaturalizedDataset;
    denaturalizeDataset(dataset: NaturalizedDataset): DenaturalizedDataset;
    uid(): string;
    date(): string;
    time(): string;
    dictionary: Record<string, { tag: string; vr: string; name: string; vm: string }>;
    nameMap: Record<string, { tag: string; vr: string; name: string; vm: string }>;
  };
  /** dcmjs's loglevel logger (it warns on stdout/stderr while reading and writing). */
  export const log: { setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void };
  const dcmjs: {
    log: typeof log;
    data: {
      DicomDict: typeof DicomDict;
      DicomMessage: typeof DicomMessage;
      DicomMetaDictionary: typeof DicomMetaDictionary;
    };
  };
  export default dcmjs;
}
