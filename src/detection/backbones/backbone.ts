/** Builds a backbone's parameters from its spec and runs it: image [1,H,W,3] → shared features [1,H/s,W/s,C]. */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../util/rng.ts';
import { paramName, type ParamStore } from '../params.ts';
import type { BackboneNorm, BackboneSpec } from './spec.ts';

/** Groups of GroupNorm: 32 as the paper, fewer for narrow layers (at least 4 channels per group). */
export function groupCount(channels: number): number {
  let g = Math.min(32, Math.max(1, Math.floor(channels / 4)));
  while (channels % g !== 0) g--;
  return g;
}

const GN_EPSILON = 1e-5;

/** GroupNorm of NHWC `x` with per-channel `gamma`, `beta`. */
export function groupNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const g = tf.reshape(x, [n, h, w, groups, c / groups]);
    const { mean, variance } = tf.moments(g, [1, 2, 4], true);
    const normed = tf.reshape(tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, GN_EPSILON))), [n, h, w, c]);
    return tf.add(tf.mul(normed, gamma), beta) as tf.Tensor4D;
  });
}

export class Backbone {
  constructor(
    readonly spec: BackboneSpec,
    private readonly params: ParamStore,
    readonly norm: BackboneNorm,
  ) {}

  /** Adds the backbone's conv parameters to `params`, He-initialised (training from scratch). */
  static build(spec: BackboneSpec, params: ParamStore, rng: Rng, norm: BackboneNorm): Backbone {
    let channels = 3;
    for (const layer of spec.layers) {
      if (layer.kind !== 'conv') continue;
      params.add(layer.name, 'weight', [layer.size, layer.size, channels, layer.filters], { kind: 'msra' }, rng);
      params.add(layer.name, 'bias', [layer.filters], { kind: 'zeros' }, rng);
      if (norm === 'group') {
        params.add(layer.name, 'gamma', [layer.filters], { kind: 'ones' }, rng);
        params.add(layer.name, 'beta', [layer.filters], { kind: 'zeros' }, rng);
      }
      channels = layer.filters;
    }
    return new Backbone(spec, params, norm);
  }

  forward(image: tf.Tensor4D): tf.Tensor4D {
    let x = image;
    for (const layer of this.spec.layers) {
      const prev = x;
      if (layer.kind === 'conv') {
        const conv = {
          x,
          filter: this.params.get(paramName(layer.name, 'weight')) as tf.Tensor4D,
          bias: this.params.get(paramName(layer.name, 'bias')),
          strides: layer.stride,
          pad: layer.pad === (layer.size - 1) / 2 && layer.stride === 1 ? ('same' as const) : layer.pad,
        };
        if (this.norm === 'group') {
          const y = tf.fused.conv2d(conv);
          const gamma = this.params.get(paramName(layer.name, 'gamma'));
          x = tf.relu(groupNorm(y, gamma, this.params.get(paramName(layer.name, 'beta')), groupCount(layer.filters)));
          y.dispose();
        } else {
          x = tf.fused.conv2d({ ...conv, activation: 'relu' });
        }
      } else if (layer.kind === 'pool') {
        x = tf.maxPool(x, layer.size, layer.stride, layer.pad);
      } else {
        const meanSq = tf.avgPool(tf.square(x), layer.size, 1, 'same');
        x = tf.mul(x, tf.pow(tf.add(tf.mul(meanSq, layer.alpha), 1), -layer.beta));
      }
      if (prev !== image) prev.dispose();
    }
    return x;
  }
}
