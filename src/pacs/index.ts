/**
 * PACS over DICOMweb: a client on plain fetch (QIDO-RS, WADO-RS, STOW-RS), pull and push, and the
 * pull → predict → SEG + SR → push → read-back round trip.
 */
export { DicomWebClient, type DicomWebOptions, type StowResult } from './client.js';
export { PacsError } from './errors.js';
export { jsonText, jsonItems, type DicomJson } from './dicom-json.js';
export { pullStudy, type PulledSeries } from './pull.js';
export { pushFiles, type PushFile } from './push.js';
export { pacsRun, findStudy, chooseSeries, type PacsRunOptions, type PacsRunResult, type StudyQuery } from './run.js';
export { instanceHeader, type InstanceHeader } from './instances.js';
