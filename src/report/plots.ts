/**
 * The report's charts: training and validation loss and validation Dice per epoch (every fold on one
 * chart), per-case metric box plots with the cases as points per method, and pooled ROC curves.
 */
import { renderSvg, type VegaLiteSpec } from './charts.js';

export interface CurvePoint {
  /** The series: a fold, a run, or a method/fold. */
  series: string;
  epoch: number;
  trainLoss?: number;
  valLoss?: number;
  valDice?: number;
}

/** Loss (training solid, validation dashed) and validation Dice per epoch, one colour per series. */
export async function lossCurves(points: readonly CurvePoint[], title = 'Training'): Promise<string> {
  const loss = points.flatMap((p) => [
    ...(p.trainLoss !== undefined && Number.isFinite(p.trainLoss)
      ? [{ series: p.series, epoch: p.epoch, loss: p.trainLoss, kind: 'training' }]
      : []),
    ...(p.valLoss !== undefined && Number.isFinite(p.valLoss)
      ? [{ series: p.series, epoch: p.epoch, loss: p.valLoss, kind: 'validation' }]
      : []),
  ]);
  const dice = points
    .filter((p) => p.valDice !== undefined && Number.isFinite(p.valDice))
    .map((p) => ({ series: p.series, epoch: p.epoch, dice: p.valDice }));
  const color = { field: 'series', type: 'nominal', title: null };
  const spec: VegaLiteSpec = {
    title,
    hconcat: [
      {
        title: 'Loss',
        width: 320,
        height: 220,
        data: { values: loss },
        mark: { type: 'line', point: { size: 18 } },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
          y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
          color,
          strokeDash: { field: 'kind', type: 'nominal', title: null, sort: ['training', 'validation'] },
          detail: { field: 'kind' },
        },
      },
      {
        title: 'Validation Dice',
        width: 320,
        height: 220,
        data: { values: dice },
        mark: { type: 'line', point: { size: 18 } },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
          y: { field: 'dice', type: 'quantitative', title: 'mean Dice', scale: { domain: [0, 1] } },
          color,
        },
      },
    ],
    resolve: { scale: { color: 'shared' } },
  };
  return renderSvg(spec);
}

export interface MetricPoint {
  method: string;
  class: string;
  case: string;
  value: number;
}

/** Per-case values per method as a box plot with every case as a point, one panel per class. */
export async function metricBoxPlot(points: readonly MetricPoint[], metric: string): Promise<string> {
  const methods = [...new Set(points.map((p) => p.method))];
  const spec: VegaLiteSpec = {
    title: `${metric} per case`,
    data: { values: points },
    facet: { column: { field: 'class', type: 'nominal', title: 'class' } },
    spec: {
      width: Math.max(120, 70 * methods.length),
      height: 240,
      layer: [
        {
          mark: { type: 'boxplot', extent: 1.5, size: 28, opacity: 0.5 },
          encoding: {
            x: { field: 'method', type: 'nominal', sort: methods, title: null },
            y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
            color: { field: 'method', type: 'nominal', sort: methods, legend: null },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 22, opacity: 0.8, color: '#222' },
          encoding: {
            x: { field: 'method', type: 'nominal', sort: methods },
            y: { field: 'value', type: 'quantitative' },
            tooltip: [{ field: 'case' }, { field: 'value', format: '.4f' }],
          },
        },
      ],
    },
  };
  return renderSvg(spec);
}

export interface RocSeries {
  method: string;
  class: string;
  fpr: number[];
  tpr: number[];
  auc: number;
}

/** ROC curves, one colour per method (AUC in the legend), one panel per class. */
export async function rocPlot(series: readonly RocSeries[]): Promise<string> {
  const values = series.flatMap((s) => {
    const step = Math.max(1, Math.floor(s.fpr.length / 300));
    const label = `${s.method} (AUC ${s.auc.toFixed(3)})`;
    return s.fpr
      .filter((_, i) => i % step === 0 || i === s.fpr.length - 1)
      .map((_, j) => {
        const i = Math.min(s.fpr.length - 1, j * step);
        return { method: label, class: s.class, fpr: s.fpr[i], tpr: s.tpr[i], order: i };
      });
  });
  const spec: VegaLiteSpec = {
    title: 'ROC (pooled out-of-fold voxels inside the ROI)',
    data: { values },
    facet: { column: { field: 'class', type: 'nominal', title: 'class' } },
    spec: {
      width: 260,
      height: 260,
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 'fpr', type: 'quantitative', title: 'false-positive rate', scale: { domain: [0, 1] } },
        y: { field: 'tpr', type: 'quantitative', title: 'true-positive rate', scale: { domain: [0, 1] } },
        color: {
          field: 'method',
          type: 'nominal',
          title: null,
          legend: { labelLimit: 400, orient: 'bottom', direction: 'vertical' },
        },
        order: { field: 'order', type: 'quantitative' },
      },
    },
  };
  return renderSvg(spec);
}
