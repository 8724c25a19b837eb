/** Reports: structured findings from predictions (text, JSON, HTML, PDF, DICOM SR). */
export * from './findings-index.js';
