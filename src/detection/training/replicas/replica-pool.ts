/**
 * Data-parallel training on one machine: the training process computes one image's gradients
 * while each of N − 1 worker threads computes another's; the mean gradient is applied by
 * everyone, so every copy of the detector holds the same weights (one iteration = N images,
 * like py-faster-rcnn's IMS_PER_BATCH). On the 2-core CPU machines this is where the second
 * core pays: `npm run bench:replicas` measured 1.06× more images/s from two wasm threads
 * (small ops, JS parts) and 1.56× from two replicas (1.12× and 1.38× once the step got cheaper).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Worker } from 'node:worker_threads';
import type { ImageBlob } from '../../../data/types.ts';
import { FrcnnError } from '../../../util/errors.ts';
import type { RngState } from '../../../util/rng.ts';
import type { TrainTargets } from '../../faster-rcnn.ts';
import { checkFinite, NonFiniteLossError, type DetectorTrainer, type StepResult } from '../trainer.ts';
import type { FromReplica, ToReplica, WireTensors } from './protocol.ts';
import { fromWire, toWire } from './wire.ts';
import { meanGradients, meanLosses } from '../gradient-mean.ts';

const WORKER_URL = new URL('./replica-worker.mjs', import.meta.url);

/** Seed of replica k's sampling RNG when it starts fresh (k ≥ 1; the main copy keeps its own). */
export function replicaSeed(seed: number, k: number): number {
  return (seed + 7919 * k) >>> 0;
}

export interface ReplicaItem {
  blob: ImageBlob;
  targets: TrainTargets;
}

class Replica {
  private waiting: { resolve: (m: FromReplica) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    worker.on('message', (m: FromReplica) => {
      const w = this.waiting;
      this.waiting = undefined;
      if (m.kind === 'error') {
        const err = m.nonFinite ? new NonFiniteLossError(m.nonFinite.iteration, m.nonFinite.term, m.nonFinite.value) : new FrcnnError(`replica ${index}: ${m.message}`);
        if (w) w.reject(err);
        else this.failure = err;
        return;
      }
      w?.resolve(m);
    });
    const die = (e: Error) => {
      this.failure = new FrcnnError(`replica ${index} stopped: ${e.message}`);
      this.waiting?.reject(this.failure);
      this.waiting = undefined;
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`worker exited with code ${code}`)));
  }

  /** Sends `msg` and waits for the reply (one request at a time per replica). */
  request(msg: ToReplica, transfer: ArrayBuffer[] = []): Promise<FromReplica> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new FrcnnError(`replica ${this.index}: request while another is pending`));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage(msg, transfer);
    });
  }

  /** Sends without a reply (the replica reports a failure on the next request). */
  send(msg: ToReplica, transfer: ArrayBuffer[] = []): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(msg, transfer);
  }

  terminate(): Promise<number> {
    this.worker.removeAllListeners('exit');
    return this.worker.terminate();
  }
}

export interface ReplicaPoolOptions {
  /** Replicas besides the main copy (≥ 1). */
  workers: number;
  /** Backend name the workers start (the main process's). */
  backend: string;
  /** Where each worker's sampling RNG starts: saved states on resume, else seeds. */
  rngs: Array<RngState | number>;
}

export class ReplicaPool {
  private rngStates: RngState[] = [];

  private constructor(private readonly replicas: Replica[]) {}

  /** Starts the workers with copies of `trainer`'s model and optimizer state. */
  static async start(trainer: DetectorTrainer, opts: ReplicaPoolOptions): Promise<ReplicaPool> {
    if (!(Number.isInteger(opts.workers) && opts.workers >= 1)) throw new FrcnnError(`replica pool: workers must be an integer >= 1, got ${opts.workers}`);
    if (opts.rngs.length !== opts.workers) throw new FrcnnError(`replica pool: ${opts.workers} workers but ${opts.rngs.length} RNG states`);
    const weights = trainer.model.getWeights();
    const slots = trainer.optimizer.getState();
    const wireWeights = toWire(weights);
    const wireSlots = toWire(slots);
    tf.dispose([weights, slots]);
    const replicas: Replica[] = [];
    try {
      for (let k = 0; k < opts.workers; k++) replicas.push(new Replica(k + 1, new Worker(WORKER_URL)));
      const ready = await Promise.all(
        replicas.map((r, k) =>
          r.request({ kind: 'init', backend: opts.backend, config: trainer.model.config, weights: wireWeights, slots: wireSlots, sgd: trainer.optimizer.opts, iteration: trainer.iteration, rng: opts.rngs[k] }),
        ),
      );
      const pool = new ReplicaPool(replicas);
      pool.rngStates = ready.map((m) => {
        if (m.kind !== 'ready') throw new FrcnnError(`replica pool: unexpected reply ${m.kind} to init`);
        return m.rng;
      });
      return pool;
    } catch (err) {
      await Promise.all(replicas.map((r) => r.terminate()));
      throw err;
    }
  }

  /** Images per step: the main copy's plus one per worker. */
  get size(): number {
    return this.replicas.length + 1;
  }

  /** Each worker's sampling RNG after the last step (for checkpoints). */
  rngs(): RngState[] {
    return this.rngStates.map((s) => [...s] as RngState);
  }

  /**
   * One iteration over `items` (one per copy: items[0] on this thread, the rest on the workers):
   * the mean of the gradients is applied everywhere. Losses are the mean over the images.
   */
  async step(trainer: DetectorTrainer, items: readonly ReplicaItem[]): Promise<StepResult> {
    if (items.length !== this.size) throw new FrcnnError(`replica step: ${items.length} images for ${this.size} copies`);
    const iteration = trainer.iteration;
    // Post the workers' images first: they compute while this thread does its own.
    const pending = this.replicas.map((r, k) => r.request({ kind: 'gradients', iteration, blob: items[k + 1].blob, targets: items[k + 1].targets }));
    let local;
    try {
      local = trainer.computeGradients(items[0].blob, items[0].targets);
    } catch (err) {
      await Promise.allSettled(pending);
      throw err;
    }
    const waitStart = performance.now();
    let replies: FromReplica[];
    try {
      replies = await Promise.all(pending);
    } catch (err) {
      tf.dispose(local.grads);
      await Promise.allSettled(pending);
      throw err;
    }
    const remote = replies.map((m) => {
      if (m.kind !== 'gradients') throw new FrcnnError(`replica step: unexpected reply ${m.kind}`);
      return m;
    });
    this.rngStates = remote.map((m) => m.rng);

    // Mean gradient, summed in a fixed order so a rerun (and every copy) gets the same numbers.
    const mean = meanGradients(local.grads, remote.map((m) => m.grads));
    tf.dispose(local.grads);

    const losses = meanLosses([local.losses, ...remote.map((m) => m.losses)]);
    checkFinite(losses, iteration);
    const lr = trainer.applyGradients(fromWire(mean));
    // The workers apply the same numbers; their next request queues behind this update.
    for (const r of this.replicas) r.send({ kind: 'apply', iteration, grads: mean });
    return { iteration, lr, losses, timings: { ...local.timings, sync: performance.now() - waitStart }, images: this.size };
  }

  /** Worker `k`'s (1-based) weights and optimizer slots, to check the copies agree. */
  async replicaState(k: number): Promise<{ weights: WireTensors; slots: WireTensors }> {
    const r = this.replicas[k - 1];
    if (!r) throw new FrcnnError(`replica ${k} does not exist`);
    const m = await r.request({ kind: 'weights' });
    if (m.kind !== 'weights') throw new FrcnnError(`replica ${k}: unexpected reply ${m.kind}`);
    return { weights: m.weights, slots: m.slots };
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.terminate()));
  }
}

