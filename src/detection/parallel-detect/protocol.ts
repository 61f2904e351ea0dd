/**
 * Messages between a process detecting over a split and its detection workers (each its own
 * tfjs engine on one wasm thread, with a copy of the detector's weights).
 */
import type { ImageEntry } from '../../data/types.ts';
import type { StageTimings } from '../faster-rcnn.ts';
import type { ModelConfig } from '../model-config.ts';
import type { WireTensors } from '../training/replicas/protocol.ts';

export type ToDetectWorker =
  | { kind: 'init'; backend: string; config: ModelConfig; weights: WireTensors }
  /** Detect on entries[index] (the worker holds no dataset: the entry carries the image path). */
  | { kind: 'detect'; index: number; entry: ImageEntry };

export type FromDetectWorker =
  | { kind: 'ready' }
  | { kind: 'detections'; index: number; boxes: Float32Array; scores: Float32Array; classes: Int32Array; timings: StageTimings }
  | { kind: 'error'; message: string; index?: number };
