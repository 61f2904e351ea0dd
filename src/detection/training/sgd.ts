/**
 * SGD with momentum as Caffe's SGDSolver (py-faster-rcnn's solvers): per parameter
 *   v ← μ·v + lr·lr_mult·(g + wd·decay_mult·w),  w ← w − v
 * with lr_mult 2 and decay_mult 0 for biases (the prototxts' `param { lr_mult: 2 decay_mult: 0 }`),
 * and no decay on normalisation scales and shifts,
 * and a step schedule lr = base·γ^(steps passed), optionally after a linear warm-up.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FrcnnError, InputError } from '../../util/errors.ts';
import type { ParamInfo } from '../params.ts';

export interface SgdOptions {
  /** Base learning rate. */
  lr: number;
  /** @default 0.9 */
  momentum: number;
  /** L2 weight decay on weights (not biases). @default 5e-4 */
  weightDecay: number;
  /** Learning-rate multiplier of biases. @default 2 */
  biasLrMult: number;
  /** Iterations at which the learning rate is multiplied by `gamma`. */
  steps: number[];
  /** @default 0.1 */
  gamma: number;
  /** Linear warm-up from `warmupFactor`·lr to lr over this many iterations (0: none). */
  warmupIters: number;
  warmupFactor: number;
}

export function defaultSgdOptions(lr: number): SgdOptions {
  return { lr, momentum: 0.9, weightDecay: 5e-4, biasLrMult: 2, steps: [], gamma: 0.1, warmupIters: 0, warmupFactor: 1 / 3 };
}

/** The learning rate at (0-based) iteration `iter`. */
export function learningRateAt(opts: SgdOptions, iter: number): number {
  let lr = opts.lr * Math.pow(opts.gamma, opts.steps.filter((s) => iter >= s).length);
  if (iter < opts.warmupIters) {
    const alpha = iter / opts.warmupIters;
    lr *= opts.warmupFactor * (1 - alpha) + alpha;
  }
  return lr;
}

const SLOT_PREFIX = 'momentum/';

export class MomentumSgd {
  private readonly slots = new Map<string, tf.Variable>();

  constructor(readonly opts: SgdOptions) {
    if (!(opts.lr > 0)) throw new InputError('--lr', `expected a positive learning rate, got ${opts.lr}`);
    if (!(opts.momentum >= 0 && opts.momentum < 1)) throw new InputError('momentum', `expected [0, 1), got ${opts.momentum}`);
  }

  /**
   * Applies one update with learning rate `lr` to each parameter that has a gradient in
   * `grads`, and disposes each gradient once used. Smallest parameters first: by the time the
   * largest (VGG16 fc6, 411 MB) is updated, the other gradients have been freed.
   */
  apply(params: readonly ParamInfo[], grads: tf.NamedTensorMap, lr: number): void {
    const { momentum, weightDecay, biasLrMult } = this.opts;
    for (const p of [...params].sort((a, b) => a.variable.size - b.variable.size)) {
      const g = grads[p.name];
      if (!g) continue;
      let slot = this.slots.get(p.name);
      if (!slot) {
        const v = p.variable;
        slot = tf.tidy(() => tf.variable(tf.zerosLike(v), false));
        this.slots.set(p.name, slot);
      }
      const s = slot;
      const isBias = p.role === 'bias';
      // Temporaries are freed as soon as used: VGG16's fc6 is 411 MB, and holding every
      // intermediate of its update (or of all parameters) exceeds the 4 GiB wasm heap.
      const rate = lr * (isBias ? biasLrMult : 1);
      let step: tf.Tensor;
      if (p.role === 'weight' && weightDecay > 0) {
        const decay = tf.mul(p.variable, weightDecay * rate);
        const scaled = tf.mul(g, rate);
        step = tf.add(scaled, decay);
        decay.dispose();
        scaled.dispose();
      } else {
        step = tf.mul(g, rate);
      }
      const kept = tf.mul(s, momentum);
      const v = tf.add(kept, step);
      kept.dispose();
      step.dispose();
      s.assign(v);
      const updated = tf.sub(p.variable, v);
      v.dispose();
      p.variable.assign(updated);
      updated.dispose();
      g.dispose();
    }
  }

  /** Momentum slots as named tensors (`momentum/<param>`), for checkpoints. Copies; the caller disposes. */
  getState(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const [name, v] of this.slots) out[SLOT_PREFIX + name] = v.clone();
    return out;
  }

  /** Restores slots from `named` (other entries are ignored); shapes must match the parameters. */
  setState(named: tf.NamedTensorMap, params: readonly ParamInfo[]): void {
    const byName = new Map(params.map((p) => [p.name, p]));
    for (const [key, t] of Object.entries(named)) {
      if (!key.startsWith(SLOT_PREFIX)) continue;
      const name = key.slice(SLOT_PREFIX.length);
      const p = byName.get(name);
      if (!p) continue;
      if (!tf.util.arraysEqual(p.variable.shape, t.shape)) {
        throw new FrcnnError(`optimizer slot ${key} has shape [${t.shape}], parameter has [${p.variable.shape}]`);
      }
      this.slots.get(name)?.dispose();
      this.slots.set(name, tf.variable(t, false));
    }
  }

  static isSlotName(name: string): boolean {
    return name.startsWith(SLOT_PREFIX);
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}
