/**
 * `frcnn demo` (what `npm start` runs): the whole system on this machine, on loopback.
 *
 *   1. the shapes dataset under `<workdir>/datasets/` (reused when present);
 *   2. `frcnn coordinator` with its state in `<workdir>/state` and the dashboard, ready once
 *      `/readyz` answers;
 *   3. N `frcnn trainer` processes and one `frcnn evaluator` over the file store
 *      `<workdir>/store` (logs in `<workdir>/logs/`);
 *   4. the sweep submitted with an idempotency key from its content, so a rerun picks up the
 *      same sweep and reuses every committed stage;
 *   5. live progress, then the result tables on stdout and the wall time;
 *   6. the dashboard kept up until Ctrl-C (unless `--no-serve`).
 *
 * Ctrl-C or SIGTERM at any point: workers drain first (they checkpoint and hand their jobs
 * back), then the coordinator stops, and the demo exits 0. A second Ctrl-C kills at once.
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { CoordinatorClient } from '../coordinator/grpc/client.ts';
import type { SweepEvent__Output } from '../generated/frcnn/v1/SweepEvent.ts';
import { parseSweepSpec } from '../pipeline/sweep-spec.ts';
import { FrcnnError, UsageError } from '../util/errors.ts';
import { formatDuration } from '../util/progress.ts';
import { ensureShapesDataset } from './dataset.ts';
import { PRESETS } from './plan.ts';
import { pickPort } from './ports.ts';
import { ProgressView } from './progress-view.ts';
import { claimWorkdir } from './workdir-lock.ts';
import { prepareSweep, readSweepFile } from './sweep-file.ts';
import { COORDINATOR_STOP_GRACE_MS, cpuSeconds, ProcessSupervisor, tailFile, WORKER_STOP_GRACE_MS, type Child } from './supervisor.ts';
import { comparisonTable, trialResults, trialTable } from './tables.ts';

export interface DemoOptions {
  /** @default '.data/demo' */
  workdir: string;
  /** Dashboard port; a free one when taken. @default 8080 */
  httpPort: number;
  /** Coordinator gRPC port on 127.0.0.1 (0: any free port). @default 0 */
  grpcPort: number;
  /** @default 2 */
  trainers: number;
  /** A sweep spec instead of the built-in one. */
  sweep?: string;
  /** Keep the dashboard up after the tables until Ctrl-C. @default true */
  serve: boolean;
  /** The tiny preset (tests, smoke runs). @default false */
  quick: boolean;
}

export const DEFAULT_WORKDIR = '.data/demo';
export const DEFAULT_HTTP_PORT = 8080;
export const MAX_TRAINERS = 16;
/** How long the coordinator may take to answer /readyz (ms): tsx compiles on first start. */
const READY_TIMEOUT_MS = 120_000;

/** Ctrl-C / SIGTERM: the reason an interrupted wait rejects with. */
export class DemoInterrupted extends FrcnnError {
  constructor(readonly signal: string) {
    super(`interrupted (${signal})`);
    this.name = 'DemoInterrupted';
  }
}

export function validateDemoOptions(o: DemoOptions): void {
  if (!Number.isInteger(o.trainers) || o.trainers < 1 || o.trainers > MAX_TRAINERS) throw new UsageError(`--trainers: expected 1..${MAX_TRAINERS}, got ${o.trainers}`);
  for (const [flag, v] of [['--http-port', o.httpPort], ['--grpc-port', o.grpcPort]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 65535) throw new UsageError(`${flag}: expected a port 0..65535, got ${v}`);
  }
}

/** Reject with the signal's reason once it aborts. */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolvePromise(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(url: string, coordinator: Child, signal: AbortSignal): Promise<void> {
  const end = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (signal.aborted) throw signal.reason;
    if (coordinator.exitStatus !== undefined) return; // the supervisor reports the exit
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new FrcnnError(`the coordinator did not become ready in ${READY_TIMEOUT_MS / 1000} s (${url}); its log ${coordinator.logFile}:\n${tailFile(coordinator.logFile)}`);
    await sleep(250);
  }
}

/** Follow the sweep until it ends; resolves with its final status. */
function watchSweep(client: CoordinatorClient, id: string, view: ProgressView, signal: AbortSignal): Promise<string> {
  const stream = client.watchSweep(id);
  const done = new Promise<string>((resolvePromise, reject) => {
    stream.on('data', (e: SweepEvent__Output) => view.apply(e));
    stream.on('end', () => resolvePromise(view.model.sweepStatus));
    stream.on('error', (err: Error) => reject(new FrcnnError(`watching sweep ${id}: ${err.message}`, { cause: err })));
  });
  signal.addEventListener('abort', () => stream.cancel(), { once: true });
  return unlessAborted(done, signal);
}

export async function runDemo(o: DemoOptions): Promise<number> {
  validateDemoOptions(o);
  const started = performance.now();
  const say = (s: string) => process.stderr.write(`${s}\n`);
  const workdir = resolve(o.workdir);
  const preset = PRESETS[o.quick ? 'quick' : 'full'];
  const sweepFile = o.sweep ?? preset.sweepFile;
  // A bad spec is reported before anything is generated or started.
  const specText = await readSweepFile(sweepFile);
  parseSweepSpec(specText, sweepFile);

  const logDir = join(workdir, 'logs');
  await mkdir(logDir, { recursive: true });
  const release = await claimWorkdir(workdir);

  const abort = new AbortController();
  const supervisor = new ProcessSupervisor(logDir);
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      say(`${sig} again: killing every demo process now`);
      supervisor.killAllNow();
      process.exit(130);
    }
    abort.abort(new DemoInterrupted(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  supervisor.onUnexpectedExit((c) =>
    abort.abort(new FrcnnError(`${c.name} (pid ${c.pid}) exited unexpectedly with ${c.exitStatus}; last lines of ${c.logFile}:\n${tailFile(c.logFile)}`)),
  );

  let client: CoordinatorClient | undefined;
  let exitCode = 0;
  try {
    say(`frcnn demo: workdir ${workdir}${o.quick ? ' (quick)' : ''}`);
    const p = preset.dataset;
    say(`dataset: shapes, ${p.size}×${p.size} px, ${p.train} train + ${p.test} test images${p.sides ? `, objects ${p.sides[0]}–${p.sides[1]} px` : ''} (seed ${p.seed})`);
    const dataset = await unlessAborted(ensureShapesDataset(workdir, p, { progress: true }), abort.signal);
    say(`dataset: ${dataset.reused ? 'reused' : 'generated'} ${dataset.root} (${dataset.classes.join(', ')}) in ${formatDuration(dataset.seconds)}`);
    const sweep = prepareSweep(specText, sweepFile, dataset);

    const http = await pickPort(o.httpPort, '0.0.0.0');
    if (http.fellBack) say(`port ${o.httpPort} is taken: the dashboard uses port ${http.port}`);
    const grpc = await pickPort(o.grpcPort, '127.0.0.1');
    // Workers and the CLI are told this port; a silent change would surprise whoever chose it.
    if (grpc.fellBack) throw new UsageError(`--grpc-port ${o.grpcPort}: the port is taken on 127.0.0.1 (0 picks a free one)`);
    const address = `127.0.0.1:${grpc.port}`;
    const dashboard = `http://localhost:${http.port}`;

    const coordinator = supervisor.start({
      name: 'coordinator',
      args: ['coordinator', '--host', '127.0.0.1', '--port', String(grpc.port), '--state', `file:${join(workdir, 'state')}`, '--http-port', String(http.port)],
    });
    say(`coordinator: pid ${coordinator.pid}, gRPC ${address}, dashboard ${dashboard} (log ${coordinator.logFile})`);
    await waitReady(`http://127.0.0.1:${http.port}/readyz`, coordinator, abort.signal);
    if (abort.signal.aborted) throw abort.signal.reason;

    // Each trainer gets its share of the cores (the wasm backend would otherwise take all).
    const threads = process.env.FRCNN_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / o.trainers)));
    const store = join(workdir, 'store');
    const common = ['--coordinator', address, '--store', store];
    const workers: Child[] = [];
    for (let i = 1; i <= o.trainers; i++) {
      workers.push(supervisor.start({ name: `trainer-${i}`, args: ['trainer', ...common, '--id', `demo-trainer-${i}`], env: { FRCNN_THREADS: threads } }));
    }
    workers.push(supervisor.start({ name: 'evaluator', args: ['evaluator', ...common, '--id', 'demo-evaluator'], env: { FRCNN_THREADS: '1' } }));
    say(`workers: ${workers.map((w) => `${w.name} (pid ${w.pid})`).join(', ')}; ${threads} thread(s) per trainer; logs in ${logDir}`);

    const { connectCoordinator, grpcMessage } = await import('../coordinator/cli/connect.ts');
    client = await connectCoordinator({ coordinator: address });
    const c = client;
    const submit = async (key: string) => {
      try {
        return await c.submitSweep({ spec: sweep.text, source_name: basename(sweep.source), idempotency_key: key });
      } catch (err) {
        throw new FrcnnError(`submitting ${sweep.source}: ${grpcMessage(err)}`, { cause: err });
      }
    };
    let res = await unlessAborted(submit(sweep.idempotencyKey), abort.signal);
    if (!res.created && (res.sweep?.status === 'failed' || res.sweep?.status === 'cancelled')) {
      say(`sweep ${res.sweep.id} from an earlier run ended ${res.sweep.status}: submitting it again (its committed stages are reused)`);
      res = await unlessAborted(submit(`${sweep.idempotencyKey}-${Date.now()}`), abort.signal);
    }
    const s = res.sweep!;
    const reuse = s.stages_committed > 0 ? `; ${s.stages_committed} of ${s.stages} stages already committed in this workdir are reused` : '';
    say(
      `${res.created ? 'submitted' : 'resumed (same spec as an earlier run)'}: sweep ${s.id} "${s.name}", ${s.trials} trials, ${s.stages} distinct stages${reuse}`,
    );
    say(`follow it in the dashboard: ${dashboard}/sweeps/${s.id}`);

    const view = new ProgressView({ out: process.stderr, startedAt: started });
    view.start();
    let status: string;
    try {
      status = await watchSweep(client, s.id, view, abort.signal);
    } finally {
      view.stop();
    }

    const detail = await unlessAborted(client.getSweep(s.id), abort.signal);
    const results = trialResults(detail, sweep.trials);
    const wall = (performance.now() - started) / 1000;
    const cpu = supervisor.list.map((c) => cpuSeconds(c.pid)).filter((v): v is number => v !== undefined);
    const sweepSeconds = (Number(detail.sweep!.ended_at_ms) - Number(detail.sweep!.submitted_at_ms)) / 1000;
    const out: string[] = [
      '',
      `sweep "${s.name}" ${status}: ${detail.sweep!.counts!.succeeded}/${s.trials} trials succeeded`,
      '',
      `VOC07 mAP (%) on ${dataset.counts.test ?? '?'} test images — rows: anchor settings, columns: the other axes`,
      comparisonTable(results),
      '',
      'per trial (time: compute of its stages; a stage shared by several trials counts in each)',
      trialTable(results),
      '',
      `wall time ${formatDuration(wall)} (sweep ${Number.isFinite(sweepSeconds) && sweepSeconds >= 0 ? formatDuration(sweepSeconds) : '?'} from submission to its end)` +
        (cpu.length > 0 ? `; CPU time of the coordinator and workers ${formatDuration(cpu.reduce((a, b) => a + b, 0))} on ${availableParallelism()} cores` : ''),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    if (status !== 'succeeded') exitCode = 1;

    if (o.serve) {
      say(`\ndashboard: ${dashboard}/sweeps/${s.id}  (all sweeps: ${dashboard}/) — Ctrl-C to stop`);
      await new Promise<void>((r) => abort.signal.addEventListener('abort', () => r(), { once: true }));
      if (!(abort.signal.reason instanceof DemoInterrupted)) throw abort.signal.reason;
    }
  } catch (err) {
    if (!(err instanceof DemoInterrupted)) throw err;
    say(`\n${err.message}: rerun the same command to continue; committed stages and checkpoints stay in ${workdir}`);
  } finally {
    const running = supervisor.list.filter((c) => c.exitStatus === undefined);
    if (running.length > 0) {
      say('stopping: workers drain (checkpoint, hand back their jobs), then the coordinator');
      await supervisor.stopAll(
        running.filter((c) => c.name !== 'coordinator'),
        WORKER_STOP_GRACE_MS,
      );
      client?.close();
      await supervisor.stopAll(
        running.filter((c) => c.name === 'coordinator'),
        COORDINATOR_STOP_GRACE_MS,
      );
      say('stopped');
    } else client?.close();
    supervisor.dispose();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await release();
  }
  return exitCode;
}
