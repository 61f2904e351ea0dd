/**
 * The demo's live progress, from the coordinator's watch stream folded by the same model
 * `frcnn sweep watch` uses: on a TTY a frame redrawn in place (elapsed time, the trial
 * table, a bar per running job); otherwise one timestamped line per event and, every
 * `summaryEverySeconds`, a line with the running jobs' progress.
 */
import { FrameWriter, WatchModel } from '../coordinator/cli/watch-view.ts';
import type { SweepEvent__Output } from '../generated/frcnn/v1/SweepEvent.ts';
import { formatDuration } from '../util/progress.ts';

/** Redraw period on a TTY (ms). */
const FRAME_MS = 500;
/** Default seconds between summary lines when not on a TTY. */
export const DEFAULT_SUMMARY_SECONDS = 20;

export interface ProgressViewOptions {
  out: NodeJS.WriteStream;
  /** performance.now() of the demo's start, for elapsed times. */
  startedAt: number;
  /** @default out.isTTY */
  live?: boolean;
  summaryEverySeconds?: number;
}

export class ProgressView {
  readonly model = new WatchModel();
  private readonly frame?: FrameWriter;
  private timer?: NodeJS.Timeout;
  private lastSummary = 0;

  constructor(private readonly o: ProgressViewOptions) {
    if (o.live ?? Boolean(o.out.isTTY)) this.frame = new FrameWriter(o.out);
  }

  private elapsed(): string {
    return formatDuration((performance.now() - this.o.startedAt) / 1000).padStart(6);
  }

  start(): void {
    const every = (this.o.summaryEverySeconds ?? DEFAULT_SUMMARY_SECONDS) * 1000;
    this.lastSummary = performance.now();
    this.timer = setInterval(() => {
      if (this.frame) this.draw();
      else if (performance.now() - this.lastSummary >= every) {
        this.lastSummary = performance.now();
        this.o.out.write(`[${this.elapsed()}] ${this.summary()}\n`);
      }
    }, FRAME_MS);
  }

  apply(e: SweepEvent__Output): void {
    const line = this.model.apply(e);
    if (!this.frame && line) this.o.out.write(`[${this.elapsed()}] ${line}\n`);
  }

  /** `stages 5/40 done; running: rpn1 120/400 it loss 0.3100 (demo-trainer-1), …` */
  summary(): string {
    const m = this.model;
    const jobs = [...m.jobs.values()].map((j) => `${j.name} ${Math.round(j.done)}/${j.total || '?'} ${j.unit}${j.loss !== undefined ? ` loss ${j.loss.toFixed(4)}` : ''} (${j.worker})`);
    const trials = [...m.trials.values()];
    const done = trials.filter((t) => t.status === 'succeeded').length;
    return `trials ${done}/${trials.length} done, stages ${m.committed}/${m.stages} done${jobs.length > 0 ? `; running: ${jobs.join(', ')}` : ''}`;
  }

  private draw(): void {
    this.frame?.draw([`elapsed ${this.elapsed().trim()}`, ...this.model.render(this.o.out.columns ?? 100)]);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.frame) this.draw();
    else this.o.out.write(`[${this.elapsed()}] ${this.summary()}\n`);
  }
}
