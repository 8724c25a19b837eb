/**
 * The demo's report: one self-contained HTML file (nothing fetched) with the loss curve, drawn by the
 * report layer's Vega-Lite charts, and a validation phantom as image | truth | prediction | overlay.
 */
import { writeFileAtomic } from '../util/atomic.js';
import { escapeHtml } from '../report/html.js';
import { overlayPng } from '../report/overlay.js';
import { lossCurves } from '../report/plots.js';
import type { DemoResult } from './train-demo.js';

/** Writes the demo's HTML report to `path` (atomically) and returns its size in bytes. */
export async function writeDemoReport(result: DemoResult, path: string): Promise<number> {
  const curve = await lossCurves(
    result.losses.map((loss, i) => ({
      series: 'demo',
      epoch: i + 1,
      trainLoss: loss,
      valDice: i + 1 === result.losses.length ? result.validationDice : undefined,
    })),
    'Training (x: step)',
  );
  const e = result.example;
  const overlay = await overlayPng({
    channels: [e.image],
    truth: e.truth,
    prediction: e.prediction,
    shape: [e.size, e.size, 1],
    spacing: [1, 1, 1],
    caption: `validation phantom 1: Dice ${e.dice.toFixed(3)}`,
  });
  const summary = `${result.steps} steps, loss ${result.firstLossMean.toFixed(4)} → ${result.lastLossMean.toFixed(4)} (mean of the first and last tenth), validation Dice ${result.validationDice.toFixed(3)} over 16 phantoms, ${result.parameters} parameters, ${result.seconds.toFixed(1)} s`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vesalius demo</title>
<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}img,svg{max-width:100%}</style>
</head><body>
<h1>Vesalius demo: a small U-Net on generated phantoms</h1>
<p>${escapeHtml(summary)}</p>
<h2>Loss</h2>
${curve}
<h2>A validation phantom</h2>
<img alt="validation phantom: image, ground truth, prediction, overlay" src="data:image/png;base64,${overlay.toString('base64')}">
</body></html>
`;
  writeFileAtomic(path, html);
  return Buffer.byteLength(html);
}
