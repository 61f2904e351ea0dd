/**
 * The stage kinds of the training pipeline, as a discriminated union of their parameters,
 * and what each kind needs from a worker. A stage's parameters say which step of its mode it
 * is (alt-opt step 1 vs. 4) and, for data-parallel kinds, which shard of the images it covers.
 */

export const STAGE_KINDS = [
  'train_rpn',
  'generate_proposals',
  'merge_proposals',
  'train_fast_rcnn',
  'assemble',
  'train_joint',
  'detect',
  'merge_detections',
  'evaluate',
] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

/** Shard `index` of `count` over a split's images; see `shardRange`. */
export interface Shard {
  index: number;
  count: number;
}

export type StageSpec =
  /** Alt-opt steps 1 and 4 (also the RPN of unshared). Step 2 starts from `inputs.init` with the shared convs frozen. */
  | { kind: 'train_rpn'; step: 1 | 2; init: 'imagenet' | 'input'; freezeConv: boolean }
  /** Alt-opt steps 2 and 5: RPN proposals on the training images of one shard. Input `model`. */
  | { kind: 'generate_proposals'; step: 1 | 2; shard: Shard }
  /** Concatenate proposal shards in image order. Inputs `shard.0` .. `shard.{n-1}`. */
  | { kind: 'merge_proposals'; shards: number }
  /**
   * Alt-opt steps 3 and 6. Step 1 starts from ImageNet weights; step 2 from `inputs.init` with
   * the shared convs frozen. Proposals come from `inputs.proposals` or, in mode
   * external-proposals, from `proposals.external.train`.
   */
  | { kind: 'train_fast_rcnn'; step: 1 | 2; init: 'imagenet' | 'input'; freezeConv: boolean; proposals: 'input' | 'external' }
  /** Alt-opt step 7 (and unshared): one model from the Fast R-CNN of `inputs.fastRcnn` and the RPN of `inputs.rpn`. */
  | { kind: 'assemble'; sharedConv: boolean }
  /** Approximate joint training (end2end) from ImageNet weights. */
  | { kind: 'train_joint' }
  /** Detections of `inputs.model` on one shard of the test images (proposals from the model's RPN or external). */
  | { kind: 'detect'; shard: Shard; proposals: 'model' | 'external' }
  /** Concatenate detection shards in image order. Inputs `shard.0` .. `shard.{n-1}`. */
  | { kind: 'merge_detections'; shards: number }
  /** Metrics of `inputs.detections` against the test annotations. */
  | { kind: 'evaluate' };

export type StageSpecOf<K extends StageKind> = Extract<StageSpec, { kind: K }>;

/** What a stage needs from the worker that runs it. */
export interface StageResources {
  /** Needs an accelerator (a CPU-only worker may still take it when it says `cpuFallback`). */
  gpu: boolean;
  /** Minimum accelerator memory, MiB (0: any). */
  gpuMemoryMb: number;
  /** Minimum host memory, MiB. */
  memoryMb: number;
}

/** The worker role that runs each kind: trainers take everything but `evaluate`. */
export const EVALUATOR_KINDS: readonly StageKind[] = ['evaluate'];
export const TRAINER_KINDS: readonly StageKind[] = STAGE_KINDS.filter((k) => k !== 'evaluate');

const GPU_KINDS = new Set<StageKind>(['train_rpn', 'generate_proposals', 'train_fast_rcnn', 'train_joint', 'detect']);
const TRAINING_KINDS = new Set<StageKind>(['train_rpn', 'train_fast_rcnn', 'train_joint']);

/** Accelerator memory a backbone needs to train (py-faster-rcnn: VGG16 end2end needs ~3 GB with cuDNN, more in alt-opt). */
const TRAIN_GPU_MEMORY_MB = { zf: 3000, vgg16: 8000, small: 0 } as const;
const INFER_GPU_MEMORY_MB = { zf: 1500, vgg16: 3000, small: 0 } as const;

export function stageResources(kind: StageKind, backbone: 'zf' | 'vgg16' | 'small'): StageResources {
  const gpu = GPU_KINDS.has(kind);
  const gpuMemoryMb = !gpu ? 0 : TRAINING_KINDS.has(kind) ? TRAIN_GPU_MEMORY_MB[backbone] : INFER_GPU_MEMORY_MB[backbone];
  return { gpu, gpuMemoryMb, memoryMb: gpu ? 4096 : 1024 };
}

/** Images [start, end) of shard `index` of `count` over `numImages` images: contiguous, sizes differ by at most one. */
export function shardRange(numImages: number, shard: Shard): { start: number; end: number } {
  if (!(shard.count >= 1 && shard.index >= 0 && shard.index < shard.count)) {
    throw new RangeError(`shard ${shard.index} of ${shard.count} does not exist`);
  }
  return {
    start: Math.floor((shard.index * numImages) / shard.count),
    end: Math.floor(((shard.index + 1) * numImages) / shard.count),
  };
}
