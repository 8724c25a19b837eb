/**
 * A naturalised DICOM dataset: attribute keywords to values (sequences as arrays of datasets), as
 * dcmjs reads and writes them. Declared here so that Vesalius's public types do not depend on dcmjs's.
 */
// biome-ignore lint/suspicious/noExplicitAny: DICOM values are untyped JSON; readers narrow what they use
export type DicomDataset = Record<string, any>;
