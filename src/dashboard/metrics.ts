/**
 * A small Prometheus registry (counters, gauges, histograms with labels) and its text
 * exposition format 0.0.4. Written here rather than taking `prom-client` because frcnn needs
 * five metrics, no default process collectors and no global registry (tests start several
 * dashboards in one process).
 */

export type LabelValues<L extends string> = Readonly<Record<L, string>>;

/** Label values are escaped as the format requires: backslash, double quote, line feed. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

abstract class Metric<L extends string> {
  protected readonly series = new Map<string, { labels: Record<string, string>; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {
    if (!METRIC_NAME.test(name)) throw new RangeError(`invalid metric name ${JSON.stringify(name)}`);
    for (const l of labelNames) if (!LABEL_NAME.test(l) || l === 'le') throw new RangeError(`invalid label name ${JSON.stringify(l)} on ${name}`);
  }
  abstract readonly type: 'counter' | 'gauge' | 'histogram';

  protected key(labels: LabelValues<L> | undefined): { key: string; labels: Record<string, string> } {
    const out: Record<string, string> = {};
    for (const l of this.labelNames) {
      const v = labels?.[l];
      if (v === undefined) throw new RangeError(`metric ${this.name} needs label ${l}`);
      out[l] = v;
    }
    return { key: JSON.stringify(this.labelNames.map((l) => out[l])), labels: out };
  }

  protected static labelText(labels: Record<string, string>, extra?: [string, string]): string {
    const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
    return parts.length ? `{${parts.join(',')}}` : '';
  }

  expose(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
    for (const s of this.series.values()) out += `${this.name}${Metric.labelText(s.labels)} ${formatValue(s.value)}\n`;
    return out;
  }
}

export class Counter<L extends string = never> extends Metric<L> {
  readonly type = 'counter';
  inc(labels?: LabelValues<L>, by = 1): void {
    if (!(by >= 0)) throw new RangeError(`counter ${this.name} can only increase (by ${by})`);
    const { key, labels: l } = this.key(labels);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { labels: l, value: by });
  }
  get(labels?: LabelValues<L>): number {
    return this.series.get(this.key(labels).key)?.value ?? 0;
  }
}

export class Gauge<L extends string = never> extends Metric<L> {
  readonly type = 'gauge';
  set(labels: LabelValues<L> | undefined, value: number): void {
    const { key, labels: l } = this.key(labels);
    this.series.set(key, { labels: l, value });
  }
  /** Drops every series (before re-setting all of them from a fresh snapshot). */
  reset(): void {
    this.series.clear();
  }
}

export class Histogram<L extends string = never> extends Metric<L> {
  readonly type = 'histogram';
  private readonly hist = new Map<string, { labels: Record<string, string>; counts: number[]; sum: number; count: number }>();
  readonly buckets: readonly number[];
  constructor(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]) {
    super(name, help, labelNames);
    for (let i = 1; i < buckets.length; i++) if (!(buckets[i] > buckets[i - 1])) throw new RangeError(`histogram ${name}: buckets must increase`);
    this.buckets = buckets;
  }
  observe(labels: LabelValues<L> | undefined, value: number): void {
    const { key, labels: l } = this.key(labels);
    let h = this.hist.get(key);
    if (!h) this.hist.set(key, (h = { labels: l, counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) h.counts[i] += 1;
    h.sum += value;
    h.count += 1;
  }
  override expose(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} histogram\n`;
    for (const h of this.hist.values()) {
      this.buckets.forEach((b, i) => {
        out += `${this.name}_bucket${Metric.labelText(h.labels, ['le', formatValue(b)])} ${h.counts[i]}\n`;
      });
      out += `${this.name}_bucket${Metric.labelText(h.labels, ['le', '+Inf'])} ${h.count}\n`;
      out += `${this.name}_sum${Metric.labelText(h.labels)} ${formatValue(h.sum)}\n`;
      out += `${this.name}_count${Metric.labelText(h.labels)} ${h.count}\n`;
    }
    return out;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class Registry {
  private readonly metrics: Metric<string>[] = [];
  private readonly collectors: (() => Promise<void> | void)[] = [];

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.add(new Counter<L>(name, help, labelNames));
  }
  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.add(new Gauge<L>(name, help, labelNames));
  }
  histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]): Histogram<L> {
    return this.add(new Histogram<L>(name, help, labelNames, buckets));
  }
  /** Runs before each exposition: where gauges are refreshed from a snapshot. */
  onCollect(fn: () => Promise<void> | void): void {
    this.collectors.push(fn);
  }
  async expose(): Promise<string> {
    for (const c of this.collectors) await c();
    return this.metrics.map((m) => m.expose()).join('');
  }
  private add<M extends Metric<string>>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new RangeError(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }
}

/** Stage durations span seconds (evaluate) to many hours (VGG16 RPN training on one GPU). */
export const STAGE_DURATION_BUCKETS_S = [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 57600];

/** The coordinator's metrics. The coordinator pushes counters and observations; gauges are read from the source at scrape. */
export interface CoordinatorMetrics {
  readonly registry: Registry;
  /** frcnn_lease_expiries_total: leases that expired (worker stopped heartbeating). */
  readonly leaseExpiries: Counter;
  /** frcnn_job_retries_total{kind}: retries by failure class (retry budget), `infrastructure` or `job`. */
  readonly jobRetries: Counter<'kind'>;
  /** frcnn_stage_duration_seconds{stage}: wall time of finished stage attempts. */
  readonly stageDuration: Histogram<'stage'>;
  /** frcnn_jobs{state}, frcnn_pending_gpu_jobs, frcnn_running_gpu_jobs, frcnn_workers: set at scrape. */
  readonly jobs: Gauge<'state'>;
  readonly pendingGpuJobs: Gauge;
  readonly runningGpuJobs: Gauge;
  readonly workers: Gauge;
  /** frcnn_http_requests_total{route,code}. */
  readonly httpRequests: Counter<'route' | 'code'>;
}

export function createCoordinatorMetrics(registry = new Registry()): CoordinatorMetrics {
  return {
    registry,
    jobs: registry.gauge('frcnn_jobs', 'Stage jobs by state.', ['state']),
    pendingGpuJobs: registry.gauge('frcnn_pending_gpu_jobs', 'Pending stage jobs that need a GPU worker (trainer autoscaling signal).'),
    runningGpuJobs: registry.gauge('frcnn_running_gpu_jobs', 'Stage jobs running on a GPU worker.'),
    workers: registry.gauge('frcnn_workers', 'Workers registered with the coordinator.'),
    leaseExpiries: registry.counter('frcnn_lease_expiries_total', 'Job leases that expired because their worker stopped heartbeating.'),
    jobRetries: registry.counter('frcnn_job_retries_total', 'Job retries, by failure class (infrastructure or job).', ['kind']),
    stageDuration: registry.histogram('frcnn_stage_duration_seconds', 'Wall time of finished stage attempts.', ['stage'], STAGE_DURATION_BUCKETS_S),
    httpRequests: registry.counter('frcnn_http_requests_total', 'Dashboard HTTP requests by route and status code.', ['route', 'code']),
  };
}
