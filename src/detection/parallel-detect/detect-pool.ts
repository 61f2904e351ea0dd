/**
 * Detection over a split on several cores: worker threads, each with a copy of the detector on
 * one wasm thread, take images from a shared queue while this thread takes them too. Every
 * image is detected by the same code with the same weights wherever it runs, so the result
 * does not depend on the worker count; it is assembled in entry order by the caller.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Worker } from 'node:worker_threads';
import type { ImageEntry } from '../../data/types.ts';
import { FrcnnError } from '../../util/errors.ts';
import type { FasterRCNN, StageTimings } from '../faster-rcnn.ts';
import type { Detections } from '../roi-heads.ts';
import { toWire } from '../training/replicas/wire.ts';
import { detectOne } from './detect-one.ts';
import type { FromDetectWorker, ToDetectWorker } from './protocol.ts';

const WORKER_URL = new URL('./detect-worker.mjs', import.meta.url);

/** Requests in flight per worker: the next image is queued there while this thread is busy with its own. */
const IN_FLIGHT = 2;

export type ImageDetections = Detections & { timings: StageTimings };

class DetectWorker {
  private readonly pending = new Map<number, { resolve: (r: ImageDetections) => void; reject: (e: Error) => void }>();
  private ready: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    worker.on('message', (m: FromDetectWorker) => {
      if (m.kind === 'ready') {
        this.ready?.resolve();
        this.ready = undefined;
      } else if (m.kind === 'detections') {
        const p = this.pending.get(m.index);
        this.pending.delete(m.index);
        p?.resolve({ boxes: m.boxes, scores: m.scores, classes: m.classes, timings: m.timings });
      } else {
        this.fail(new FrcnnError(`detection worker ${index}: ${m.message}`));
      }
    });
    worker.on('error', (e) => this.fail(new FrcnnError(`detection worker ${index} stopped: ${e.message}`)));
    worker.on('exit', (code) => this.fail(new FrcnnError(`detection worker ${index} exited with code ${code}`)));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.ready?.reject(err);
    this.ready = undefined;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  init(msg: Extract<ToDetectWorker, { kind: 'init' }>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ready = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }

  detect(index: number, entry: ImageEntry): Promise<ImageDetections> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(index, { resolve, reject });
      this.worker.postMessage({ kind: 'detect', index, entry } satisfies ToDetectWorker);
    });
  }

  terminate(): Promise<number> {
    this.worker.removeAllListeners('exit');
    return this.worker.terminate();
  }
}

export interface ParallelDetectOptions {
  /** Worker threads besides this one (≥ 1). */
  workers: number;
  /** Backend the workers start (this process's). */
  backend: string;
}

/** Detects on every entry, calling `record(index, result)` as each finishes (in any order). */
export async function detectWithWorkers(model: FasterRCNN, entries: readonly ImageEntry[], opts: ParallelDetectOptions, record: (index: number, r: ImageDetections) => void): Promise<void> {
  if (!(Number.isInteger(opts.workers) && opts.workers >= 1)) throw new FrcnnError(`parallel detection: workers must be an integer >= 1, got ${opts.workers}`);
  const named = model.getWeights();
  const weights = toWire(named);
  tf.dispose(named);
  const workers = Array.from({ length: opts.workers }, (_, k) => new DetectWorker(k + 1, new Worker(WORKER_URL)));
  let next = 0;
  const take = (): number => (next < entries.length ? next++ : -1);
  // Stops every lane at the first failure instead of draining the queue.
  let failed = false;
  const guard = async (lane: () => Promise<void>): Promise<void> => {
    try {
      await lane();
    } catch (err) {
      failed = true;
      throw err;
    }
  };
  const workerLane = (w: DetectWorker, started: Promise<void>) => async () => {
    await started;
    for (let i = take(); i >= 0 && !failed; i = take()) record(i, await w.detect(i, entries[i]));
  };
  const mainLane = async () => {
    for (let i = take(); i >= 0 && !failed; i = take()) {
      record(i, await detectOne(model, entries[i]));
      // Let the workers' replies in (and their next requests out) between this thread's images.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  try {
    const lanes: Array<Promise<void>> = [guard(mainLane)];
    for (const w of workers) {
      const started = w.init({ kind: 'init', backend: opts.backend, config: model.config, weights });
      for (let k = 0; k < IN_FLIGHT; k++) lanes.push(guard(workerLane(w, started)));
    }
    const settled = await Promise.allSettled(lanes);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
