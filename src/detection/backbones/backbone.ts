/** Builds a backbone's parameters from its spec and runs it: image [1,H,W,3] → shared features [1,H/s,W/s,C]. */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../util/rng.ts';
import { layerMatches, paramName, type ParamStore } from '../params.ts';
import { groupCount, groupNorm, groupNormReluPool } from './group-norm.ts';
import { lrnWithinChannel } from './lrn.ts';
import { recordingGradients } from '../tf-scope.ts';
import { relu } from '../ops/relu.ts';
import type { BackboneNorm, BackboneSpec } from './spec.ts';

/** One conv layer's operands. */
interface ConvArgs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  bias: tf.Tensor;
  strides: number;
  pad: 'same' | number;
}

/** A layer's filter count under a width multiplier (at least 4). */
export function scaledFilters(filters: number, width: number): number {
  return Math.max(4, Math.round(filters * width));
}

export class Backbone {
  constructor(
    readonly spec: BackboneSpec,
    private readonly params: ParamStore,
    readonly norm: BackboneNorm,
    /** Multiplier on every conv's filter count (1: the published widths). */
    readonly width = 1,
  ) {}

  /** Channels of the shared feature map. */
  get outChannels(): number {
    return scaledFilters(this.spec.outChannels, this.width);
  }

  /** Adds the backbone's conv parameters to `params`, He-initialised (training from scratch). */
  static build(spec: BackboneSpec, params: ParamStore, rng: Rng, norm: BackboneNorm, width = 1): Backbone {
    let channels = 3;
    for (const layer of spec.layers) {
      if (layer.kind !== 'conv') continue;
      const filters = scaledFilters(layer.filters, width);
      params.add(layer.name, 'weight', [layer.size, layer.size, channels, filters], { kind: 'msra' }, rng);
      params.add(layer.name, 'bias', [filters], { kind: 'zeros' }, rng);
      if (norm === 'group') {
        params.add(layer.name, 'gamma', [filters], { kind: 'ones' }, rng);
        params.add(layer.name, 'beta', [filters], { kind: 'zeros' }, rng);
      }
      channels = filters;
    }
    return new Backbone(spec, params, norm, width);
  }

  /**
   * Runs layers [start, end) on `image` (or on the output of layer start − 1). The caller
   * keeps ownership of `image`; intermediates are disposed as soon as the next layer ran.
   */
  forward(image: tf.Tensor4D, start = 0, end = this.spec.layers.length): tf.Tensor4D {
    let x = image;
    for (let i = start; i < end; i++) {
      const layer = this.spec.layers[i];
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
          const out = this.convGroupNorm(layer, conv, x === image, i + 1 < end && isPool2x2(this.spec.layers[i + 1]));
          x = out.x;
          if (out.pooled) i++; // the pool ran inside
        } else {
          x = this.convRelu(conv, x === image);
        }
      } else if (layer.kind === 'pool') {
        x = tf.maxPool(x, layer.size, layer.stride, layer.pad);
      } else {
        x = lrnWithinChannel(x, layer);
      }
      if (prev !== image) prev.dispose();
    }
    return x;
  }

  /** conv + bias + ReLU. */
  private convRelu(conv: ConvArgs, onImage: boolean): tf.Tensor4D {
    // Inference: bias and ReLU in the conv's own epilogue (the native addon's, in place).
    if (!recordingGradients()) return tf.fused.conv2d({ ...conv, activation: 'relu' });
    // Bias fused, ReLU apart: under a gradient tape tfjs unfuses conv+bias+ReLU into three
    // saved tensors; this way it keeps two (matters for VGG16 at 600×1000).
    const y = this.convBias(conv, onImage);
    const x = relu(y);
    y.dispose();
    return x;
  }

  /**
   * conv + bias, GroupNorm, ReLU. Inference: the ReLU in GroupNorm's own pass, and when a 2×2 pool
   * follows (`poolNext`) that too, where the addon can (the pooled map written once instead of the
   * full one read back by the pool); `pooled` says whether it ran.
   */
  private convGroupNorm(layer: BackboneSpec['layers'][number] & { kind: 'conv' }, conv: ConvArgs, onImage: boolean, poolNext: boolean): { x: tf.Tensor4D; pooled: boolean } {
    const y = this.convBias(conv, onImage);
    const gamma = this.params.get(paramName(layer.name, 'gamma'));
    const beta = this.params.get(paramName(layer.name, 'beta'));
    const groups = groupCount(scaledFilters(layer.filters, this.width));
    const training = recordingGradients();
    const pooled = poolNext && !training ? groupNormReluPool(y, gamma, beta, groups) : undefined;
    const x = pooled ?? (training ? relu(groupNorm(y, gamma, beta, groups)) : groupNorm(y, gamma, beta, groups, { relu: true }));
    y.dispose();
    return { x, pooled: pooled !== undefined };
  }

  /**
   * conv + bias. The fused conv's gradient computes the input gradient eagerly; in training on
   * the image (the first layer, or the first after a frozen stem) nobody needs it, so run conv +
   * bias apart there and let the tape prune it (measured 14–21 ms of a small-backbone step).
   */
  private convBias(conv: ConvArgs, onImage: boolean): tf.Tensor4D {
    if (!onImage || !recordingGradients()) return tf.fused.conv2d(conv);
    return tf.tidy(() => tf.add<tf.Tensor4D>(tf.conv2d(conv.x, conv.filter, conv.strides, conv.pad), conv.bias));
  }

  /**
   * How many leading layers hold only frozen parameters (and the pools/norms between them):
   * their output needs no gradient, so training runs them outside the tape (Caffe's
   * propagate_down: false) and VGG16's conv1–conv2 activations are not kept for backprop.
   */
  frozenPrefix(frozen: readonly string[]): number {
    let k = 0;
    for (let i = 0; i < this.spec.layers.length; i++) {
      const layer = this.spec.layers[i];
      if (layer.kind === 'conv' && !frozen.some((f) => layerMatches(layer.name, f))) break;
      k = i + 1;
    }
    // Trailing pools after the last frozen conv are cheap either way; stop after a conv so the
    // prefix ends on a layer whose output the rest consumes as is.
    return k;
  }
}

/** A 2×2 max pool with stride 2 and no padding (floor mode): the one groupNormReluPool fuses. */
function isPool2x2(layer: BackboneSpec['layers'][number] | undefined): boolean {
  return layer?.kind === 'pool' && layer.size === 2 && layer.stride === 2 && layer.pad === 0;
}
