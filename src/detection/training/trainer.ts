/**
 * One optimisation step of a detector on one image: losses, gradients of the trainable
 * (non-frozen) parameters, a NaN/Inf check, then the SGD update. The step is parameterised
 * by what it trains (`{rpn, head, proposals?}`) so approximate joint training and the
 * alternating stages share it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageBlob } from '../../data/types.ts';
import { FrcnnError } from '../../util/errors.ts';
import type { Rng } from '../../util/rng.ts';
import { LOSS_TERMS, type FasterRCNN, type LossTerm, type StageTimings, type TrainTargets } from '../faster-rcnn.ts';
import type { ParamInfo } from '../params.ts';
import { meanGradients, meanLosses } from './gradient-mean.ts';
import { fromWire, toWire } from './replicas/wire.ts';
import { learningRateAt, MomentumSgd, type SgdOptions } from './sgd.ts';

/** A loss that became NaN or infinite. The weights are left as they were before the step. */
export class NonFiniteLossError extends FrcnnError {
  constructor(
    readonly iteration: number,
    readonly term: string,
    readonly value: number,
    /** What is left to resume from, for the message. */
    kept = 'the weights are those before this step',
  ) {
    super(`loss term ${term} is ${value} at iteration ${iteration + 1}; stopping (${kept})`);
    this.name = 'NonFiniteLossError';
  }
}

export type LossValues = Partial<Record<LossTerm, number>> & { total: number };

/** What one image contributes to a step: its losses and the gradients (tensors, by parameter name). */
export interface ImageGradients {
  losses: LossValues;
  grads: tf.NamedTensorMap;
  timings: StageTimings & { backward: number };
}

/** Throws NonFiniteLossError for the first NaN/Inf term. */
export function checkFinite(losses: LossValues, iteration: number): void {
  for (const k of [...LOSS_TERMS, 'total'] as const) {
    const v = losses[k];
    if (v !== undefined && !Number.isFinite(v)) throw new NonFiniteLossError(iteration, k, v);
  }
}

export interface StepResult {
  iteration: number;
  lr: number;
  losses: LossValues;
  /** Forward stage timings plus the backward pass and update, in ms (of the main thread's image); with replicas, `sync` is the wait for them plus averaging and the update. */
  timings: StageTimings & { backward: number; sync?: number };
  /** Images in the step (more than one with data-parallel replicas; losses are their mean). */
  images: number;
}

export class DetectorTrainer {
  readonly optimizer: MomentumSgd;
  private trainable: ParamInfo[];
  /** Iterations completed. */
  iteration: number;

  constructor(
    readonly model: FasterRCNN,
    sgd: SgdOptions,
    /** Draws anchor/RoI samples and dropout masks. */
    readonly rng: Rng,
    startIteration = 0,
  ) {
    this.optimizer = new MomentumSgd(sgd);
    this.trainable = model.params.trainable(model.config.freeze);
    this.iteration = startIteration;
  }

  /** Parameters this trainer updates (the model's minus its frozen layers). */
  get trainableParams(): readonly ParamInfo[] {
    return this.trainable;
  }

  /** Re-reads the frozen set (after changing `model.config.freeze`). */
  refreshTrainable(): void {
    this.trainable = this.model.params.trainable(this.model.config.freeze);
  }

  /**
   * One image's losses and the gradients of the trainable parameters (by parameter name);
   * nothing is updated. `rng` draws its samples and dropout (default: the trainer's).
   */
  computeGradients(blob: ImageBlob, targets: TrainTargets = { rpn: true, head: true }, rng: Rng = this.rng): ImageGradients {
    const iteration = this.iteration;
    const timings = { conv: 0, proposal: 0, region: 0, backward: 0 };
    const losses: LossValues = { total: 0 };
    const vars = this.trainable.map((p) => p.variable);
    let forwardEnd = 0;
    // Frozen leading layers run before the tape starts: nothing of theirs is kept for backprop.
    const t0 = performance.now();
    const stem = this.model.frozenStem(blob);
    timings.conv += performance.now() - t0;
    const { value, grads } = tf.variableGrads(() => {
      const l = this.model.losses(blob, targets, rng, timings, stem);
      for (const k of LOSS_TERMS) {
        const t = l[k];
        if (t) losses[k] = t.dataSync()[0];
      }
      forwardEnd = performance.now();
      return l.total;
    }, vars);
    const byParam: tf.NamedTensorMap = {};
    try {
      losses.total = value.dataSync()[0];
      checkFinite(losses, iteration);
      for (const p of this.trainable) {
        const g = grads[p.variable.name];
        if (g) byParam[p.name] = g;
      }
    } catch (err) {
      tf.dispose(grads);
      throw err;
    } finally {
      value.dispose();
      stem?.features.dispose();
    }
    timings.backward = performance.now() - forwardEnd;
    return { losses, grads: byParam, timings };
  }

  /** The SGD update with `grads` (by parameter name, disposed here) at this iteration's learning rate; advances the iteration. */
  applyGradients(grads: tf.NamedTensorMap): number {
    const lr = learningRateAt(this.optimizer.opts, this.iteration);
    this.optimizer.apply(this.trainable, grads, lr);
    this.iteration++;
    return lr;
  }

  /** One iteration on one image: gradients, NaN/Inf check, update. */
  trainStep(blob: ImageBlob, targets: TrainTargets = { rpn: true, head: true }): StepResult {
    const iteration = this.iteration;
    const g = this.computeGradients(blob, targets);
    const t = performance.now();
    const lr = this.applyGradients(g.grads);
    g.timings.backward += performance.now() - t;
    return { iteration, lr, losses: g.losses, timings: g.timings, images: 1 };
  }

  /**
   * One iteration on several images, one after another on this thread: image k draws from
   * `rngs[k]` (rngs[0] is usually the trainer's own), the gradients are averaged as the replica
   * pool averages them, then one update. Gives the weights a pool of that many copies gives,
   * bit for bit, so a run's result does not depend on how many cores were free.
   */
  batchStep(items: ReadonlyArray<{ blob: ImageBlob; targets: TrainTargets }>, rngs: readonly Rng[]): StepResult {
    if (items.length !== rngs.length) throw new FrcnnError(`batch step: ${items.length} images for ${rngs.length} sampling RNGs`);
    const iteration = this.iteration;
    const parts: ImageGradients[] = [];
    try {
      for (let k = 0; k < items.length; k++) parts.push(this.computeGradients(items[k].blob, items[k].targets, rngs[k]));
      const mean = meanGradients(
        parts[0].grads,
        parts.slice(1).map((p) => toWire(p.grads)),
      );
      const losses = meanLosses(parts.map((p) => p.losses));
      // Stage times summed over the images; the update counts as backward.
      const timings = { conv: 0, proposal: 0, region: 0, backward: 0 };
      for (const p of parts) for (const k of ['conv', 'proposal', 'region', 'backward'] as const) timings[k] += p.timings[k];
      tf.dispose(parts.map((p) => p.grads));
      parts.length = 0;
      const t = performance.now();
      const lr = this.applyGradients(fromWire(mean));
      timings.backward += performance.now() - t;
      return { iteration, lr, losses, timings, images: items.length };
    } finally {
      tf.dispose(parts.map((p) => p.grads));
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
