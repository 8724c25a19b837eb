/**
 * The structured findings report as a reader sees it: one plain-language line per finding ("Finding 1:
 * 8 mm nodule, left, slices 41–47, volume 268 mm³, model probability 0.62"), the method, the model and
 * a disclaimer, as text, JSON, a small HTML page and a PDF.
 */
import type { Finding } from './findings.js';
import { type PdfLine, textPdf } from './findings-pdf.js';

export interface ReportContext {
  prediction: string;
  image?: string;
  probabilities?: string;
  atlas?: string;
  /** The model (run folder, checkpoint) that made the prediction, when known. */
  model?: string;
  shape: number[];
  spacing: number[];
  /** Orientation code (LPS letters) of the grid. */
  orientation: string;
  /** x of the midline used for sides (mm). */
  midlineX: number;
  /** When the report was made (ISO 8601; default now). */
  generated?: string;
}

export interface FindingsReport {
  title: string;
  generated: string;
  input: { prediction: string; image?: string; probabilities?: string; atlas?: string };
  model: string;
  grid: { shape: number[]; spacing: number[]; orientation: string };
  summary: string;
  findings: (Finding & { text: string })[];
  method: string[];
  disclaimer: string;
}

export const DISCLAIMER =
  'Produced automatically by Vesalius from a model prediction, for research use. It is not a diagnosis: every finding must be checked against the images by a qualified reader, and findings the model missed are not listed.';

/** Lengths: whole millimetres from 3 mm, one decimal below. */
function mm(value: number): string {
  return value >= 3 ? `${Math.round(value)}` : value.toFixed(1);
}

/** One sentence per finding. */
export function findingSentence(f: Finding): string {
  const parts = [`${mm(f.longAxis)} mm ${f.className}`];
  if (f.side !== 'unknown') parts.push(f.side);
  if (f.location)
    parts.push(
      `in ${f.location.name}${f.location.fraction < 0.995 ? ` (${Math.round(f.location.fraction * 100)}%)` : ''}`,
    );
  if (!f.is2D)
    parts.push(
      f.slices[0] === f.slices[1] ? `slice ${f.slices[0] + 1}` : `slices ${f.slices[0] + 1}–${f.slices[1] + 1}`,
    );
  parts.push(f.is2D ? `area ${Math.round(f.volume)} mm²` : `volume ${Math.round(f.volume)} mm³`);
  if (f.shortAxis > 0) parts.push(`short axis ${mm(f.shortAxis)} mm`);
  if (f.meanIntensity !== undefined) parts.push(`mean intensity ${Number(f.meanIntensity.toPrecision(4))}`);
  if (f.meanProbability !== undefined) parts.push(`model probability ${f.meanProbability.toFixed(2)}`);
  return `Finding ${f.id}: ${parts.join(', ')}`;
}

/** The method lines: how findings, sizes, sides and probabilities were computed. */
export function methodLines(findings: Finding[], context: ReportContext): string[] {
  const is2D = findings[0]?.is2D ?? context.shape[2] === 1;
  const plane = findings[0]?.plane ?? 'image';
  return [
    `Findings are the connected components (${is2D ? '8' : '26'}-connected) of each predicted class, largest first.`,
    `${is2D ? 'Area' : 'Volume'}: voxel count × voxel ${is2D ? 'area' : 'volume'} from the image spacing (${context.spacing.map((s) => Number(s.toPrecision(4))).join(' × ')} mm).`,
    `Long axis: the longest chord of the finding's outline (voxel edges) within one ${plane} slice; short axis: its extent perpendicular to the long axis in that slice; the largest 3D diameter is in the JSON report.`,
    `Side: where at least 80% of the finding lies relative to the midline x = ${context.midlineX} mm (patient coordinates, +x = patient's left); otherwise "midline".`,
    'Slices are numbered from 1 along the slice axis of the prediction grid (increasing along the slice normal).',
    ...(context.probabilities
      ? ["Model probability: the mean of the model's probability for the finding's class over its voxels."]
      : []),
    ...(context.atlas
      ? ['Location: the atlas structure that holds most of the finding, with the share it holds.']
      : []),
  ];
}

/** The report of `findings` with its context (inputs, grid, model), method lines and disclaimer. */
export function buildFindingsReport(findings: Finding[], context: ReportContext): FindingsReport {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.className, (counts.get(f.className) ?? 0) + 1);
  const summary = findings.length
    ? `${findings.length} finding(s): ${[...counts].map(([name, n]) => `${n} ${name}`).join(', ')}.`
    : 'No finding: the prediction has no labelled voxel.';
  return {
    title: 'Structured findings report',
    generated: context.generated ?? new Date().toISOString(),
    input: {
      prediction: context.prediction,
      ...(context.image ? { image: context.image } : {}),
      ...(context.probabilities ? { probabilities: context.probabilities } : {}),
      ...(context.atlas ? { atlas: context.atlas } : {}),
    },
    model: context.model ?? 'not stated',
    grid: { shape: context.shape, spacing: context.spacing, orientation: context.orientation },
    summary,
    findings: findings.map((f) => ({ ...f, text: findingSentence(f) })),
    method: methodLines(findings, context),
    disclaimer: DISCLAIMER,
  };
}

function headerLines(r: FindingsReport): string[] {
  return [
    `Prediction: ${r.input.prediction}`,
    ...(r.input.image ? [`Image: ${r.input.image}`] : []),
    ...(r.input.probabilities ? [`Probabilities: ${r.input.probabilities}`] : []),
    ...(r.input.atlas ? [`Atlas: ${r.input.atlas}`] : []),
    `Model: ${r.model}`,
    `Grid: ${r.grid.shape.join(' × ')} voxels of ${r.grid.spacing.map((s) => Number(s.toPrecision(4))).join(' × ')} mm, orientation ${r.grid.orientation}`,
    `Generated: ${r.generated}`,
  ];
}

/** The report as plain text. */
export function reportText(r: FindingsReport): string {
  return [
    r.title.toUpperCase(),
    '',
    ...headerLines(r),
    '',
    'FINDINGS',
    r.summary,
    ...r.findings.map((f) => f.text),
    '',
    'METHOD',
    ...r.method,
    '',
    'DISCLAIMER',
    r.disclaimer,
    '',
  ].join('\n');
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The report as a small self-contained HTML page (all text escaped). */
export function reportHtml(r: FindingsReport): string {
  const rows = r.findings
    .map((f) => {
      const cells = [
        f.id,
        f.className,
        `${f.longAxis.toFixed(1)} × ${f.shortAxis.toFixed(1)}`,
        Math.round(f.volume),
        f.side,
        f.is2D ? '' : `${f.slices[0] + 1}–${f.slices[1] + 1}`,
        f.location ? f.location.name : '',
        f.meanProbability === undefined ? '' : f.meanProbability.toFixed(2),
      ];
      return `<tr>${cells.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const is2D = r.findings[0]?.is2D ?? r.grid.shape[2] === 1;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;max-width:60em;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2em .6em;text-align:left}.note{color:#555;font-size:12px}.disclaimer{border-left:4px solid #c33;padding-left:.8em}</style>
</head><body>
<h1>${escapeHtml(r.title)}</h1>
<p class="note">${headerLines(r).map(escapeHtml).join('<br>')}</p>
<h2>Findings</h2>
<p>${escapeHtml(r.summary)}</p>
<ol>${r.findings.map((f) => `<li>${escapeHtml(f.text.replace(/^Finding \d+: /, ''))}</li>`).join('')}</ol>
<table><thead><tr><th>#</th><th>class</th><th>long × short axis (mm)</th><th>${is2D ? 'area (mm²)' : 'volume (mm³)'}</th><th>side</th><th>slices</th><th>location</th><th>model probability</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Method</h2>
<ul>${r.method.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>
<p class="disclaimer">${escapeHtml(r.disclaimer)}</p>
</body></html>
`;
}

/** The report as a PDF (A4, text). */
export function reportPdf(r: FindingsReport): Uint8Array {
  const lines: PdfLine[] = [
    { text: r.title, size: 16 },
    ...headerLines(r).map((text) => ({ text, size: 9 })),
    { text: '' },
    { text: 'Findings', size: 14 },
    { text: r.summary },
    ...r.findings.map((f) => ({ text: f.text })),
    { text: '' },
    { text: 'Method', size: 14 },
    ...r.method.map((text) => ({ text, size: 9 })),
    { text: '' },
    { text: 'Disclaimer', size: 14 },
    { text: r.disclaimer },
  ];
  return textPdf(lines);
}
