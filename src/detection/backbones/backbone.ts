/** Builds a backbone's parameters from its spec and runs it: image [1,H,W,3] → shared features [1,H/s,W/s,C]. */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../util/rng.ts';
import { paramName, type ParamStore } from '../params.ts';
import type { BackboneSpec } from './spec.ts';

export class Backbone {
  constructor(
    readonly spec: BackboneSpec,
    private readonly params: ParamStore,
  ) {}

  /** Adds the backbone's conv parameters to `params`, He-initialised (training from scratch). */
  static build(spec: BackboneSpec, params: ParamStore, rng: Rng): Backbone {
    let channels = 3;
    for (const layer of spec.layers) {
      if (layer.kind !== 'conv') continue;
      params.add(layer.name, 'weight', [layer.size, layer.size, channels, layer.filters], { kind: 'msra' }, rng);
      params.add(layer.name, 'bias', [layer.filters], { kind: 'zeros' }, rng);
      channels = layer.filters;
    }
    return new Backbone(spec, params);
  }

  forward(image: tf.Tensor4D): tf.Tensor4D {
    let x = image;
    for (const layer of this.spec.layers) {
      const prev = x;
      if (layer.kind === 'conv') {
        x = tf.fused.conv2d({
          x,
          filter: this.params.get(paramName(layer.name, 'weight')) as tf.Tensor4D,
          bias: this.params.get(paramName(layer.name, 'bias')),
          strides: layer.stride,
          pad: layer.pad === (layer.size - 1) / 2 && layer.stride === 1 ? 'same' : layer.pad,
          activation: 'relu',
        });
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
