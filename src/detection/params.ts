/**
 * Named parameters of a detector. Names follow Caffe's layer names (`conv1_1`, `rpn_conv/3x3`,
 * `fc6`, `cls_score`, …) with a `/weight` or `/bias` suffix, so freezing by layer name, ImageNet
 * initialisation and assembling a detector from two checkpoints all work by name.
 * tfjs variables are left unnamed: their global registry would forbid two models in a process.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FrcnnError } from '../util/errors.ts';
import type { Rng } from '../util/rng.ts';

/** How a new parameter is initialised. */
export type ParamInit =
  | { kind: 'gaussian'; std: number }
  /** He/MSRA: N(0, 2 / fan_in), for ReLU layers trained from scratch. */
  | { kind: 'msra' }
  | { kind: 'zeros' }
  | { kind: 'ones' };

/** `gamma`/`beta`: a normalisation layer's scale and shift (no weight decay, as biases). */
export type ParamRole = 'weight' | 'bias' | 'gamma' | 'beta';

export interface ParamInfo {
  /** Full name, `<layer>/<role>`. */
  name: string;
  layer: string;
  role: ParamRole;
  variable: tf.Variable;
}

export function paramName(layer: string, role: ParamRole): string {
  return `${layer}/${role}`;
}

/** The layer a parameter belongs to: everything before the last `/` (`rpn_conv/3x3/weight` → `rpn_conv/3x3`). */
export function layerOf(name: string): string {
  return name.slice(0, name.lastIndexOf('/'));
}

/**
 * True when `layer` is selected by `prefix`: equal, or followed by `_` or `/`, so `conv1`
 * selects `conv1` and `conv1_2` but not `conv10`.
 */
export function layerMatches(layer: string, prefix: string): boolean {
  return layer === prefix || layer.startsWith(`${prefix}_`) || layer.startsWith(`${prefix}/`);
}

export class ParamStore {
  private readonly params = new Map<string, ParamInfo>();

  /** Creates a parameter; shapes follow tfjs (conv: [kh, kw, in, out], fc: [in, out]). */
  add(layer: string, role: ParamRole, shape: number[], init: ParamInit, rng: Rng): tf.Variable {
    const name = paramName(layer, role);
    if (this.params.has(name)) throw new FrcnnError(`parameter ${name} defined twice`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init.kind === 'ones') values.fill(1);
    else if (init.kind !== 'zeros') {
      const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
      const std = init.kind === 'msra' ? Math.sqrt(2 / fanIn) : init.std;
      for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
    }
    // The variable shares the initial tensor's storage: dispose that tensor, or the storage
    // would outlive the variable and count as shared (no in-place updates, see sgd.ts).
    const initial = tf.tensor(values, shape);
    const variable = tf.variable(initial, true);
    initial.dispose();
    this.params.set(name, { name, layer, role, variable });
    return variable;
  }

  get(name: string): tf.Variable {
    const p = this.params.get(name);
    if (!p) throw new FrcnnError(`no parameter named ${name}`);
    return p.variable;
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  list(): ParamInfo[] {
    return [...this.params.values()];
  }

  /** The parameters whose layer is matched by none of `frozen` (layer-name prefixes). */
  trainable(frozen: readonly string[]): ParamInfo[] {
    return this.list().filter((p) => !frozen.some((f) => layerMatches(p.layer, f)));
  }

  /** A snapshot of every parameter's value (new tensors, the caller disposes them). */
  getWeights(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const p of this.params.values()) out[p.name] = p.variable.clone();
    return out;
  }

  /**
   * Assigns the given values. `only`: layer prefixes to restrict to (others in `named` are
   * skipped). `allowMissing`: parameters absent from `named` keep their values (for partial
   * initialisation); otherwise every selected parameter must be present. Returns the names set.
   */
  setWeights(named: tf.NamedTensorMap, opts: { only?: readonly string[]; allowMissing?: boolean; source?: string } = {}): string[] {
    const where = opts.source ?? 'weights';
    const selected = this.list().filter((p) => !opts.only || opts.only.some((o) => layerMatches(p.layer, o)));
    const set: string[] = [];
    for (const p of selected) {
      const t = named[p.name];
      if (!t) {
        if (opts.allowMissing) continue;
        throw new FrcnnError(`${where}: missing parameter ${p.name}`);
      }
      if (!tf.util.arraysEqual(t.shape, p.variable.shape)) {
        throw new FrcnnError(`${where}: parameter ${p.name} has shape [${t.shape}], the model expects [${p.variable.shape}]`);
      }
      p.variable.assign(t as tf.Tensor);
      set.push(p.name);
    }
    return set;
  }

  /** Number of scalar parameters. */
  size(): number {
    return this.list().reduce((n, p) => n + p.variable.size, 0);
  }

  dispose(): void {
    for (const p of this.params.values()) p.variable.dispose();
    this.params.clear();
  }
}
