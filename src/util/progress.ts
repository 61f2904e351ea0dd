/**
 * Progress for long work: a live bar on a TTY (cli-progress), a periodic line with rate
 * and ETA otherwise (logs, CI). Both go to stderr so stdout stays parseable.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Set the absolute amount done, with optional extra fields shown after the bar (e.g. loss). */
  update(done: number, fields?: Record<string, string | number>): void;
  /** Finish: draw the final state and release the terminal. */
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  /** Unit shown in the rate, e.g. "img" or "it". */
  unit?: string;
  /** Seconds between lines when not on a TTY. Default 5. */
  intervalSeconds?: number;
  /** Force the plain-line mode (or silence with `false`). Default: bar if stderr is a TTY. */
  mode?: 'bar' | 'lines' | 'silent';
  stream?: NodeJS.WriteStream;
}

function formatFields(fields: Record<string, string | number> | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v}`)
    .join(' ');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const unit = opts.unit ?? 'it';
  const mode = opts.mode ?? (stream.isTTY && !process.env.CI ? 'bar' : 'lines');
  const start = performance.now();
  if (mode === 'silent') return { update() {}, stop() {} };
  if (mode === 'bar') {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${opts.label} [{bar}] {value}/{total} {rate} ${unit}/s eta {eta_formatted} {extra}`,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(opts.total, 0, { rate: '0.0', extra: '' });
    return {
      update(done, fields) {
        const secs = (performance.now() - start) / 1000;
        bar.update(done, { rate: (done / Math.max(secs, 1e-9)).toFixed(2), extra: formatFields(fields) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const interval = (opts.intervalSeconds ?? 5) * 1000;
  let last = -Infinity;
  let lastDone = 0;
  let lastFields: Record<string, string | number> | undefined;
  let printedDone = -1;
  const line = () => {
    printedDone = lastDone;
    const secs = (performance.now() - start) / 1000;
    const rate = lastDone / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (opts.total - lastDone) / rate : Infinity;
    stream.write(
      `${opts.label} ${lastDone}/${opts.total} (${((100 * lastDone) / Math.max(opts.total, 1)).toFixed(1)}%) ` +
        `${rate.toFixed(2)} ${unit}/s eta ${formatDuration(eta)} ${formatFields(lastFields)}\n`,
    );
  };
  return {
    update(done, fields) {
      lastDone = done;
      lastFields = fields;
      const now = performance.now();
      if (now - last >= interval) {
        last = now;
        line();
      }
    },
    stop() {
      // The final state, unless the last line already showed it.
      if (printedDone !== lastDone) line();
    },
  };
}
