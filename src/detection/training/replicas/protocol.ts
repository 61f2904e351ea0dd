/**
 * Messages between the training process and its replica workers (data-parallel SGD on one
 * machine). Tensors travel as `{shape, data}` with Float32Array data; everything else is plain
 * structured-clone data.
 */
import type { ImageBlob } from '../../../data/types.ts';
import type { RngState } from '../../../util/rng.ts';
import type { StageTimings, TrainTargets } from '../../faster-rcnn.ts';
import type { ModelConfig } from '../../model-config.ts';
import type { SgdOptions } from '../sgd.ts';
import type { LossValues } from '../trainer.ts';

export interface WireTensor {
  shape: number[];
  data: Float32Array;
}
export type WireTensors = Record<string, WireTensor>;

export type ToReplica =
  | {
      kind: 'init';
      backend: string;
      config: ModelConfig;
      /** Every parameter of the model (frozen ones too). */
      weights: WireTensors;
      /** Optimizer slots (`momentum/<param>`), possibly empty. */
      slots: WireTensors;
      sgd: SgdOptions;
      iteration: number;
      rng: RngState | number;
    }
  | { kind: 'gradients'; iteration: number; blob: ImageBlob; targets: TrainTargets }
  | { kind: 'apply'; iteration: number; grads: WireTensors }
  | { kind: 'weights' };

export type FromReplica =
  | { kind: 'ready'; rng: RngState }
  | { kind: 'gradients'; iteration: number; losses: LossValues; grads: WireTensors; timings: StageTimings & { backward: number }; rng: RngState }
  | { kind: 'weights'; weights: WireTensors; slots: WireTensors }
  /** A failure inside the replica; `nonFinite` carries a NaN/Inf loss so the caller can rethrow it as such. */
  | { kind: 'error'; message: string; stack?: string; nonFinite?: { iteration: number; term: string; value: number } };
