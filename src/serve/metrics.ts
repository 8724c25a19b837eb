/**
 * Prometheus metrics of a server (prom-client, its own registry), at GET /metrics:
 *
 *   vesalius_jobs_submitted_total{model}
 *   vesalius_jobs_finished_total{model, outcome="completed|failed|cancelled"}
 *   vesalius_job_seconds{model, phase="queued|running|total"}     histogram
 *   vesalius_queue_jobs{state="waiting|active|delayed|failed|completed"}  gauge, read at scrape time
 *   vesalius_ood_inputs_total{model}                               inputs with out-of-distribution warnings
 *   vesalius_drift_psi{model, feature, reference}                  gauge, from the drift report
 *   vesalius_drift_features{model}                                 features over the drift threshold
 *   vesalius_http_requests_total{route, method, status}
 *   plus prom-client's default process metrics (event-loop lag, memory, CPU).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DriftReport } from './monitor/drift.js';

export interface ServeMetrics {
  registry: Registry;
  submitted: Counter<'model'>;
  finished: Counter<'model' | 'outcome'>;
  seconds: Histogram<'model' | 'phase'>;
  ood: Counter<'model'>;
  http: Counter<'route' | 'method' | 'status'>;
  /** Sets the drift gauges from fresh reports (called at scrape time). */
  setDrift(reports: DriftReport[]): void;
}

/**
 * The metrics of a server, in a registry of their own.
 *
 * @param sources - where the queue counts and drift reports come from at scrape time
 */
export function createMetrics(sources: {
  queueCounts: () => Promise<Record<string, number>>;
  driftReports: () => Promise<DriftReport[]>;
}): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vesalius_' });
  const submitted = new Counter({
    name: 'vesalius_jobs_submitted_total',
    help: 'Jobs accepted',
    labelNames: ['model'],
    registers: [registry],
  });
  const finished = new Counter({
    name: 'vesalius_jobs_finished_total',
    help: 'Jobs finished, by outcome',
    labelNames: ['model', 'outcome'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'vesalius_job_seconds',
    help: 'Seconds a job spent queued, running, and in total',
    labelNames: ['model', 'phase'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const ood = new Counter({
    name: 'vesalius_ood_inputs_total',
    help: 'Inputs with out-of-distribution warnings (wrong modality, absurd spacing, unlike intensities)',
    labelNames: ['model'],
    registers: [registry],
  });
  const http = new Counter({
    name: 'vesalius_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  new Gauge({
    name: 'vesalius_queue_jobs',
    help: 'Jobs in the queue by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await sources.queueCounts();
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed'])
        this.set({ state }, counts[state] ?? 0);
    },
  });
  const psi = new Gauge({
    name: 'vesalius_drift_psi',
    help: 'Population stability index of a feature of recent jobs against training or recent history (drift above 0.25 with a significant KS test)',
    labelNames: ['model', 'feature', 'reference'],
    registers: [registry],
    async collect() {
      await refreshDrift();
    },
  });
  const flagged = new Gauge({
    name: 'vesalius_drift_features',
    help: 'Features whose recent jobs drifted past the threshold',
    labelNames: ['model'],
    registers: [registry],
    async collect() {
      await refreshDrift();
    },
  });
  // a scrape collects the gauges concurrently: one drift report per scrape sets both
  let pending: Promise<void> | undefined;
  const refreshDrift = () => {
    pending ??= sources
      .driftReports()
      .then((reports) => metrics.setDrift(reports))
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  const metrics: ServeMetrics = {
    registry,
    submitted,
    finished,
    seconds,
    ood,
    http,
    setDrift(reports) {
      psi.reset();
      flagged.reset();
      for (const r of reports) {
        flagged.set({ model: r.model }, r.drifted.length);
        for (const row of r.rows) psi.set({ model: r.model, feature: row.feature, reference: row.reference }, row.psi);
      }
    },
  };
  return metrics;
}
