/**
 * The live view of `frcnn sweep watch`: a table of trials (status, metric, error) and a
 * progress bar per running job, redrawn in place on a TTY; one line per event otherwise.
 * It folds the watch stream (snapshot, then events) into a small model, so it shows the same
 * thing whether it started at the beginning of the sweep or in the middle.
 */
import type { SweepDetail__Output } from '../../generated/frcnn/v1/SweepDetail.ts';
import type { SweepEvent__Output } from '../../generated/frcnn/v1/SweepEvent.ts';
import { formatDuration } from '../../util/progress.ts';
import type { CoordinatorEvent } from '../types.ts';

interface JobView {
  name: string;
  worker: string;
  done: number;
  total: number;
  unit: string;
  loss?: number;
  started: number;
}

interface TrialView {
  label: string;
  status: string;
  metric?: string;
  error?: string;
}

export class WatchModel {
  sweepName = '';
  sweepStatus = 'running';
  readonly trials = new Map<string, TrialView>();
  readonly jobs = new Map<string, JobView>();
  committed = 0;
  stages = 0;
  message = '';

  apply(e: SweepEvent__Output): string | undefined {
    if (e.type === 'snapshot' && e.snapshot) return this.snapshot(e.snapshot);
    const ev = JSON.parse(e.json) as CoordinatorEvent;
    switch (ev.type) {
      case 'job.started':
        this.jobs.set(ev.stageKey, { name: ev.name, worker: ev.workerId, done: 0, total: 0, unit: '', started: ev.at });
        for (const t of ev.trialIds) {
          const tv = this.trials.get(t);
          if (tv && tv.status === 'queued') tv.status = 'running';
        }
        return `started  ${ev.name} (${ev.kind}) on ${ev.workerId}${ev.resumeFrom ? ` resuming from ${ev.resumeFrom}` : ''}`;
      case 'job.progress': {
        const j = this.jobs.get(ev.stageKey);
        if (j) {
          j.done = ev.progress.done;
          j.total = ev.progress.total;
          j.unit = ev.progress.unit;
          j.loss = ev.progress.losses?.loss ?? Object.values(ev.progress.losses ?? {})[0];
        }
        return undefined;
      }
      case 'job.done':
        this.jobs.delete(ev.stageKey);
        this.committed++;
        return `done     ${ev.name} on ${ev.workerId}`;
      case 'job.failed':
        this.jobs.delete(ev.stageKey);
        return `failed   ${ev.name} on ${ev.workerId}: ${ev.reason} (${ev.failureClass}): ${ev.message}${ev.retryAt ? `; retry in ${formatDuration((ev.retryAt - ev.at) / 1000)}` : '; no retries left'}`;
      case 'job.released':
        this.jobs.delete(ev.stageKey);
        return `released ${ev.name} by ${ev.workerId} (drain)`;
      case 'trial.done': {
        const tv = this.trials.get(ev.trialId);
        if (tv) {
          tv.status = ev.status;
          tv.metric = ev.metrics ? formatMetrics(ev.metrics) : tv.metric;
          tv.error = ev.error ? `${ev.error.name}: ${ev.error.reason}: ${ev.error.message}` : undefined;
        }
        return `trial    ${tv?.label ?? ev.trialId} ${ev.status}${tv?.metric ? ` ${tv.metric}` : ''}${tv?.error ? ` — ${tv.error}` : ''}`;
      }
      case 'sweep.done':
        this.sweepStatus = ev.status;
        return `sweep    ${ev.status}: ${ev.succeeded} succeeded, ${ev.failed} failed, ${ev.cancelled} cancelled`;
      default:
        return undefined;
    }
  }

  private snapshot(d: SweepDetail__Output): string {
    this.sweepName = d.sweep?.name ?? '';
    this.sweepStatus = d.sweep?.status ?? '';
    this.message = d.sweep?.message ?? '';
    this.stages = d.stages.length;
    this.committed = d.stages.filter((s) => s.status === 'committed').length;
    // A snapshot replaces what we knew (a reconnect after a coordinator restart).
    this.jobs.clear();
    for (const t of d.trials) {
      this.trials.set(t.id, {
        label: t.label,
        status: t.status,
        metric: t.metrics_json ? formatMetrics(JSON.parse(t.metrics_json)) : undefined,
        error: t.error || undefined,
      });
    }
    for (const s of d.stages) {
      if (s.status === 'running') this.jobs.set(s.key, { name: s.name, worker: s.worker_id, done: s.progress?.done ?? 0, total: s.progress?.total ?? 0, unit: s.progress?.unit ?? '', loss: s.progress?.losses?.loss, started: Date.now() });
    }
    return `sweep ${d.sweep?.id} "${this.sweepName}": ${d.trials.length} trials, ${this.stages} stages (${this.committed} done), ${this.sweepStatus}`;
  }

  /** The frame drawn on a TTY. */
  render(width = 100): string[] {
    const lines = [`sweep "${this.sweepName}" — ${this.sweepStatus} — stages ${this.committed}/${this.stages} done`];
    // Running jobs first: they change, and they stay in view when the trial table is long.
    if (this.jobs.size > 0) lines.push('', 'running jobs');
    for (const j of this.jobs.values()) {
      const frac = j.total > 0 ? Math.min(1, j.done / j.total) : 0;
      const w = 24;
      const bar = '█'.repeat(Math.round(frac * w)) + '░'.repeat(w - Math.round(frac * w));
      lines.push(`${j.name.slice(0, 22).padEnd(23)} ${bar} ${String(Math.round(j.done)).padStart(6)}/${j.total} ${j.unit.padEnd(4)} ${j.loss !== undefined ? `loss ${j.loss.toFixed(4)} ` : ''}${j.worker}`);
    }
    lines.push('', 'trial'.padEnd(48) + 'status'.padEnd(11) + 'result');
    for (const t of this.trials.values()) {
      lines.push(`${t.label.slice(0, 46).padEnd(48)}${t.status.padEnd(11)}${(t.metric ?? t.error ?? '').slice(0, Math.max(10, width - 60))}`);
    }
    return lines;
  }
}

function formatMetrics(m: Record<string, unknown>): string {
  return Object.entries(m)
    .filter(([, v]) => typeof v === 'number')
    .slice(0, 3)
    .map(([k, v]) => `${k}=${(v as number).toFixed(4)}`)
    .join(' ');
}

/** Redraws a block of lines in place (ANSI: cursor up, clear to end of screen). */
export class FrameWriter {
  private height = 0;
  constructor(private readonly out: NodeJS.WriteStream) {}
  draw(lines: string[]): void {
    const cols = this.out.columns ?? 120;
    // Taller than the terminal cannot be redrawn in place: keep the head, say what is left out.
    const rows = Math.max(5, (this.out.rows ?? 50) - 1);
    if (lines.length > rows) lines = [...lines.slice(0, rows - 1), `… ${lines.length - rows + 1} more lines (make the terminal taller, or use --json)`];
    let s = this.height > 0 ? `\x1b[${this.height}A\x1b[J` : '';
    s += lines.map((l) => l.slice(0, cols - 1)).join('\n') + '\n';
    this.out.write(s);
    this.height = lines.length;
  }
}
