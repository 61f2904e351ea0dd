/**
 * SGD with momentum as Caffe's SGDSolver (py-faster-rcnn's solvers): per parameter
 *   v ← μ·v + lr·lr_mult·(g + wd·decay_mult·w),  w ← w − v
 * with lr_mult 2 and decay_mult 0 for biases (the prototxts' `param { lr_mult: 2 decay_mult: 0 }`),
 * and no decay on normalisation scales and shifts,
 * and a step schedule lr = base·γ^(steps passed), optionally after a linear warm-up.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FrcnnError, InputError } from '../../util/errors.ts';
import { hostView, updateInPlace } from '../../backend/host-memory.ts';
import { nativeBlas } from '../../backend/native/addon.ts';
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

/**
 * A momentum buffer: a JS array when the parameter's storage is reachable from JS (wasm, cpu),
 * so it takes no room on the 4 GiB wasm heap; a tfjs variable otherwise (tensorflow backend).
 */
type Slot = { kind: 'host'; data: Float32Array; shape: number[] } | { kind: 'tensor'; variable: tf.Variable };

export class MomentumSgd {
  private readonly slots = new Map<string, Slot>();

  constructor(
    readonly opts: SgdOptions,
    /** 'auto': in place in host memory where the backend allows; 'ops': always with tfjs ops (what the tensorflow backend does; for comparisons). */
    private readonly mode: 'auto' | 'ops' = 'auto',
  ) {
    if (!(opts.lr > 0)) throw new InputError('--lr', `expected a positive learning rate, got ${opts.lr}`);
    if (!(opts.momentum >= 0 && opts.momentum < 1)) throw new InputError('momentum', `expected [0, 1), got ${opts.momentum}`);
  }

  /**
   * Applies one update with learning rate `lr` to each parameter that has a gradient in
   * `grads`, and disposes each gradient once used. Smallest parameters first: by the time the
   * largest (VGG16 fc6, 411 MB) is updated, the other gradients have been freed.
   */
  apply(params: readonly ParamInfo[], grads: tf.NamedTensorMap, lr: number): void {
    for (const p of [...params].sort((a, b) => a.variable.size - b.variable.size)) {
      const g = grads[p.name];
      if (!g) continue;
      const rate = lr * (p.role === 'bias' ? this.opts.biasLrMult : 1);
      const decay = p.role === 'weight' ? this.opts.weightDecay * rate : 0;
      if (this.mode === 'ops' || !this.applyInPlace(p, g, rate, decay)) this.applyWithOps(p, g, rate, decay);
      g.dispose();
    }
  }

  /** v ← μ·v + rate·g + decay·w, w ← w − v in one pass over host memory; false when not possible here. */
  private applyInPlace(p: ParamInfo, g: tf.Tensor, rate: number, decay: number): boolean {
    const gv = hostView(g);
    if (!gv) return false;
    const slot = this.slots.get(p.name);
    let v: Float32Array;
    if (slot?.kind === 'host') v = slot.data;
    else {
      v = slot ? (slot.variable.dataSync() as Float32Array).slice() : new Float32Array(p.variable.size);
      slot?.variable.dispose();
      this.slots.set(p.name, { kind: 'host', data: v, shape: p.variable.shape });
    }
    const mu = this.opts.momentum;
    const blas = nativeBlas();
    const step = (w: Float32Array): void => {
      const grad = hostView(g) as Float32Array; // re-read: a copy below may have grown the heap
      // The addon runs this loop in double too (same bits), on both cores: ZF's 58 M parameters took 0.5 s per step here.
      if (blas) return blas.sgdMomentum(w, grad, v, mu, rate, decay);
      for (let i = 0; i < w.length; i++) {
        const vi = mu * v[i] + rate * grad[i] + decay * w[i];
        v[i] = vi;
        w[i] -= vi;
      }
    };
    if (updateInPlace(p.variable, step)) return true;
    // Shared storage (a snapshot or a tensor the weights were assigned from): write a new one.
    const w = hostView(p.variable);
    const next = w ? w.slice() : (p.variable.dataSync() as Float32Array).slice();
    step(next);
    const t = tf.tensor(next, p.variable.shape);
    p.variable.assign(t);
    t.dispose();
    return true;
  }

  /** The same update with tfjs ops, for backends whose memory JS cannot reach. */
  private applyWithOps(p: ParamInfo, g: tf.Tensor, rate: number, decay: number): void {
    const held = this.slots.get(p.name);
    let slot: tf.Variable;
    if (held?.kind === 'tensor') slot = held.variable;
    else {
      const init = held ? tf.tensor(held.data, held.shape) : tf.zerosLike(p.variable);
      slot = tf.variable(init, false);
      init.dispose();
      this.slots.set(p.name, { kind: 'tensor', variable: slot });
    }
    // Temporaries are freed as soon as used (a tidy would hold every one until the end).
    let step = tf.mul(g, rate);
    if (decay > 0) {
      const d = tf.mul(p.variable, decay);
      const sum = tf.add(step, d);
      tf.dispose([d, step]);
      step = sum;
    }
    const kept = tf.mul(slot, this.opts.momentum);
    const v = tf.add(kept, step);
    tf.dispose([kept, step]);
    slot.assign(v);
    const updated = tf.sub(p.variable, v);
    v.dispose();
    p.variable.assign(updated);
    updated.dispose();
  }

  /**
   * Momentum slots as named arrays (`momentum/<param>`) for a checkpoint, without putting
   * them on the wasm heap (VGG16's would need 553 MB there at every save). The host slots
   * themselves, not copies: encode them before the next update.
   */
  stateArrays(): Array<{ name: string; shape: number[]; data: Float32Array }> {
    return [...this.slots].map(([name, s]) =>
      s.kind === 'host' ? { name: SLOT_PREFIX + name, shape: s.shape, data: s.data } : { name: SLOT_PREFIX + name, shape: s.variable.shape, data: s.variable.dataSync() as Float32Array },
    );
  }

  /** Momentum slots as named tensors (`momentum/<param>`), for replicas. Copies; the caller disposes. */
  getState(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const [name, s] of this.slots) out[SLOT_PREFIX + name] = s.kind === 'host' ? tf.tensor(s.data, s.shape) : s.variable.clone();
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
      const old = this.slots.get(name);
      if (old?.kind === 'tensor') old.variable.dispose();
      this.slots.set(
        name,
        this.mode === 'auto' && hostView(p.variable) ? { kind: 'host', data: (t.dataSync() as Float32Array).slice(), shape: p.variable.shape } : { kind: 'tensor', variable: tf.variable(t, false) },
      );
    }
  }

  static isSlotName(name: string): boolean {
    return name.startsWith(SLOT_PREFIX);
  }

  dispose(): void {
    for (const s of this.slots.values()) if (s.kind === 'tensor') s.variable.dispose();
    this.slots.clear();
  }
}
