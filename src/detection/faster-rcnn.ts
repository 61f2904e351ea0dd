/**
 * The detector: a thin composition of backbone → RPN → RoI head (torchvision's
 * GeneralizedRCNN). Training computes a loss record for one image; inference returns
 * detections. Parameter groups stay separable (by Caffe layer name) so the alternating
 * training stages can train the RPN alone, train the head on external proposals, freeze the
 * shared convs, and assemble a detector from two checkpoints.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageBlob } from '../data/types.ts';
import { FrcnnError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { Backbone } from './backbones/backbone.ts';
import { BACKBONE_SPECS } from './backbones/spec.ts';
import { anchorsPerLocation, validateModelConfig, type ModelConfig } from './model-config.ts';
import { ParamStore } from './params.ts';
import type { ProposalOptions, Proposals } from './proposal-layer.ts';
import { headLoss, postprocessDetections, RoiHead, sampleRois, type Detections } from './roi-heads.ts';
import { withScope } from './tf-scope.ts';
import { AnchorGrid, proposalOptions, rpnLoss, rpnProposals, RpnHead } from './rpn.ts';

/** What a training step optimises. */
export interface TrainTargets {
  /** Include the RPN loss. */
  rpn: boolean;
  /** Include the Fast R-CNN head loss. */
  head: boolean;
  /** External proposals (4P network pixels) for the head; default: the RPN's own training proposals. */
  proposals?: Float32Array;
}

/** The loss terms of one image (tensors: call inside a gradient or tidy scope). */
export interface LossTensors {
  total: tf.Scalar;
  rpnCls?: tf.Scalar;
  rpnBox?: tf.Scalar;
  cls?: tf.Scalar;
  box?: tf.Scalar;
}

/** Milliseconds spent per stage, as the paper's Table 5: shared convs, proposals, region-wise. */
export interface StageTimings {
  conv: number;
  proposal: number;
  region: number;
}

/** Output of the first `layers` backbone layers (the caller disposes `features`). */
export interface BackboneStem {
  layers: number;
  features: tf.Tensor4D;
}

export const LOSS_TERMS = ['rpnCls', 'rpnBox', 'cls', 'box'] as const;
export type LossTerm = (typeof LOSS_TERMS)[number];

export class FasterRCNN {
  readonly params: ParamStore;
  readonly backbone: Backbone;
  readonly rpn: RpnHead;
  readonly roiHead: RoiHead;
  readonly anchors: AnchorGrid;

  private constructor(
    readonly config: ModelConfig,
    params: ParamStore,
    rng: Rng,
  ) {
    this.params = params;
    const spec = BACKBONE_SPECS[config.backbone];
    this.backbone = Backbone.build(spec, params, rng, config.backboneNorm, config.backboneWidth);
    this.rpn = RpnHead.build(params, this.backbone.outChannels, config.rpnChannels, anchorsPerLocation(config), rng);
    this.roiHead = RoiHead.build(params, config, this.backbone.outChannels, rng);
    this.anchors = new AnchorGrid(config);
  }

  /** A randomly initialised detector (weights drawn from `seed`). */
  static create(config: ModelConfig, seed: number): FasterRCNN {
    validateModelConfig(config, 'model config');
    return new FasterRCNN(structuredClone(config), new ParamStore(), new Rng(seed));
  }

  get numClasses(): number {
    return this.config.classes.length;
  }

  /** [1, H, W, 3] network input: the blob's mean-subtracted pixels times `inputScale`. */
  imageTensor(blob: ImageBlob): tf.Tensor4D {
    if (blob.pixels.length !== blob.height * blob.width * 3) {
      throw new FrcnnError(`image ${blob.imageId}: ${blob.pixels.length} pixel values for ${blob.width}x${blob.height}x3`);
    }
    return tf.tidy(() => tf.mul(tf.tensor4d(blob.pixels, [1, blob.height, blob.width, 3]), this.config.inputScale));
  }

  /**
   * Shared conv features [1, H/s, W/s, C]. `stem`: the output of the first `layers` backbone
   * layers, computed already (e.g. outside the gradient tape for frozen layers).
   */
  features(blob: ImageBlob, stem?: BackboneStem): tf.Tensor4D {
    if (stem) return this.backbone.forward(stem.features, stem.layers);
    const x = this.imageTensor(blob);
    const f = this.backbone.forward(x);
    x.dispose();
    return f;
  }

  /** The frozen leading backbone layers' output for `blob`, or undefined when none is frozen. */
  frozenStem(blob: ImageBlob): BackboneStem | undefined {
    const layers = this.backbone.frozenPrefix(this.config.freeze);
    if (layers === 0) return undefined;
    return { layers, features: tf.tidy(() => this.backbone.forward(this.imageTensor(blob), 0, layers)) };
  }

  /**
   * The loss terms for one training image. `rng` draws the anchor and RoI samples and the
   * dropout masks. Call inside `tf.variableGrads` / `tf.tidy`.
   */
  losses(blob: ImageBlob, targets: TrainTargets, rng: Rng, timings?: StageTimings, stem?: BackboneStem): LossTensors {
    if (!targets.rpn && !targets.head) throw new FrcnnError('losses: nothing to train (rpn and head both false)');
    let t = performance.now();
    const lap = (key: keyof StageTimings) => {
      const now = performance.now();
      if (timings) timings[key] += now - t;
      t = now;
    };
    const feat = this.features(blob, stem);
    lap('conv');
    const out: LossTensors = { total: tf.scalar(0) };
    let proposals = targets.proposals;
    if (targets.rpn || !proposals) {
      const rpnOut = this.rpn.forward(feat);
      const anchors = this.anchors.anchors(rpnOut.featHeight, rpnOut.featWidth);
      if (targets.rpn) {
        const l = rpnLoss(rpnOut, anchors, blob.gtBoxes, blob.height, blob.width, this.config, rng);
        out.rpnCls = l.rpnCls;
        out.rpnBox = l.rpnBox;
      }
      if (targets.head && !proposals) {
        proposals = rpnProposals(rpnOut, anchors, blob.height, blob.width, blob.scale, proposalOptions(this.config, true), rng).boxes;
      }
    }
    lap('proposal');
    if (targets.head && proposals) {
      const sampled = sampleRois(proposals, blob.gtBoxes, blob.gtClasses, this.config, rng);
      if (sampled.labels.length > 0) {
        const headOut = this.roiHead.forward(feat, sampled.rois, rng);
        const l = headLoss(headOut, sampled, this.config);
        out.cls = l.cls;
        out.box = l.box;
      }
    }
    for (const k of LOSS_TERMS) if (out[k]) out.total = tf.add(out.total, out[k] as tf.Scalar);
    lap('region');
    return out;
  }

  /** RPN proposals for one image (network pixels), test settings unless `opts` says otherwise. */
  generateProposals(blob: ImageBlob, opts: ProposalOptions = proposalOptions(this.config, false), rng?: Rng): Proposals {
    return withScope(() => {
      const feat = this.features(blob);
      const rpnOut = this.rpn.forward(feat);
      return rpnProposals(rpnOut, this.anchors.anchors(rpnOut.featHeight, rpnOut.featWidth), blob.height, blob.width, blob.scale, opts, rng);
    });
  }

  /**
   * Detections for one image, in original-image pixels. `original`: the image's size before
   * resizing (default: the network size ÷ scale, rounded). `proposals`: external proposals
   * (network pixels) instead of the RPN's.
   */
  detect(blob: ImageBlob, opts: { original?: { height: number; width: number }; proposals?: Float32Array; timings?: StageTimings } = {}): Detections {
    const origHeight = opts.original?.height ?? Math.round(blob.height / blob.scale);
    const origWidth = opts.original?.width ?? Math.round(blob.width / blob.scale);
    const timings = opts.timings;
    return withScope(() => {
      let t = performance.now();
      const lap = (key: keyof StageTimings) => {
        const now = performance.now();
        if (timings) timings[key] += now - t;
        t = now;
      };
      const feat = this.features(blob);
      if (timings) feat.dataSync();
      lap('conv');
      let rois = opts.proposals;
      if (!rois) {
        const rpnOut = this.rpn.forward(feat);
        const anchors = this.anchors.anchors(rpnOut.featHeight, rpnOut.featWidth);
        rois = rpnProposals(rpnOut, anchors, blob.height, blob.width, blob.scale, proposalOptions(this.config, false)).boxes;
      }
      lap('proposal');
      if (rois.length === 0) return { boxes: new Float32Array(0), scores: new Float32Array(0), classes: new Int32Array(0) };
      const head = this.roiHead.forward(feat, rois);
      const probs = tf.softmax(head.clsScore).dataSync() as Float32Array;
      const deltas = head.bboxPred.dataSync() as Float32Array;
      const dets = postprocessDetections(probs, deltas, rois, blob.scale, origHeight, origWidth, this.config);
      lap('region');
      return dets;
    });
  }

  /** A copy of the weights, by parameter name (the caller disposes them). */
  getWeights(): tf.NamedTensorMap {
    return this.params.getWeights();
  }

  /**
   * Assigns weights by name. `only`: layer prefixes to take from `named` (e.g. the RPN layers
   * of another checkpoint); `allowMissing`: leave absent parameters as they are.
   */
  setWeights(named: tf.NamedTensorMap, opts: { only?: readonly string[]; allowMissing?: boolean; source?: string } = {}): string[] {
    return this.params.setWeights(named, opts);
  }

  dispose(): void {
    this.params.dispose();
  }
}
