/**
 * Renders one slice of a DICOM series with a DICOM SEG over it (the picture in the README):
 *   npx tsx examples/render-seg-overlay.ts SERIES_DIR SEG.dcm OUT.png [slice] [window-low] [window-high]
 * The SEG is read back onto the series' own grid (readDicomSeg with the series as reference), so the
 * overlay shows exactly where the SEG's frames place each voxel in patient space.
 */
import sharp from 'sharp';
import { readDicom, readDicomSeg } from '../src/io/dicom/index.js';

const [series, segPath, out, sliceArg, lowArg, highArg] = process.argv.slice(2);
if (!series || !segPath || !out) {
  process.stderr.write('usage: render-seg-overlay SERIES_DIR SEG.dcm OUT.png [slice] [low] [high]\n');
  process.exit(1);
}
const image = await readDicom(series);
const { image: labels, segments } = await readDicomSeg(segPath, { reference: image });
const [ni, nj, nk] = image.shape as [number, number, number];
const k = sliceArg === undefined ? Math.floor(nk / 2) : Number(sliceArg);
const low = Number(lowArg ?? -160);
const high = Number(highArg ?? 240);
const palette: [number, number, number][] = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48],
  [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 190],
];
const colour = new Map(segments.map((s, i) => [s.number, palette[i % palette.length]!]));
const rgb = new Uint8Array(ni * nj * 3);
for (let p = 0; p < ni * nj; p++) {
  const v = image.data[k * ni * nj + p]!;
  const g = Math.round(255 * Math.min(1, Math.max(0, (v - low) / (high - low))));
  const label = labels.data[k * ni * nj + p]!;
  const c = label ? colour.get(label) : undefined;
  for (let ch = 0; ch < 3; ch++) rgb[3 * p + ch] = c ? Math.round(0.55 * g + 0.45 * c[ch]!) : g;
}
// rows run along j, columns along i: the image as a viewer shows the slice (LPS: patient's left on the right)
await sharp(rgb, { raw: { width: ni, height: nj, channels: 3 } }).png().toFile(out);
const shown = [...new Set(labels.data.subarray(k * ni * nj, (k + 1) * ni * nj))].filter((v) => v);
process.stderr.write(`slice ${k + 1} of ${nk}: ${shown.length} segment(s): ${shown.map((v) => segments.find((s) => s.number === v)?.label).join(', ')}\n`);
