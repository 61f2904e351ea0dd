/**
 * The configuration of one trial: everything that decides what its stages compute. Defaults
 * are py-faster-rcnn's (VOC, alternating training) and live here only; a sweep's `base` and
 * axes override fields of it. Parsing quotes the path of a bad field (`anchors.scales[1]`).
 */
import { z } from 'zod';
import { defaultModelConfig } from '../detection/model-config.ts';
import { InputError } from '../util/errors.ts';

export const TRAINING_MODES = ['alt-opt', 'end2end', 'unshared', 'external-proposals'] as const;
export type TrainingMode = (typeof TRAINING_MODES)[number];

export const METRICS = ['voc07', 'voc2010', 'coco'] as const;
export type Metric = (typeof METRICS)[number];

const positive = z.number().positive();
const fraction = z.number().min(0).max(1);
const count = z.int().positive();

const datasetSchema = z.strictObject({
  /** Dataset name understood by src/data: `voc07`, `voc12`, `coco`, `shapes` (generated)... */
  name: z.string().min(1),
  /** Where it lives (directory or s3:// prefix); the data layer's default when absent. */
  root: z.string().min(1).optional(),
  trainSplit: z.string().min(1).default('trainval'),
  testSplit: z.string().min(1).default('test'),
  /** Use only the first N images of each split (smoke runs). */
  limit: count.optional(),
  /** Content digest of the dataset, so a changed dataset changes every stage key. */
  digest: z.string().min(1).optional(),
});

const backboneSchema = z.strictObject({
  name: z.enum(['zf', 'vgg16', 'small']).default('vgg16'),
  /** ImageNet weights (tfjs format) for M0; random init when absent. */
  weights: z.string().min(1).optional(),
});

const imageSchema = z.strictObject({
  shortSide: count.default(600),
  maxSize: count.default(1000),
  flip: z.boolean().default(true),
});

const anchorsSchema = z.strictObject({
  baseSize: count.default(16),
  scales: z.array(positive).min(1).max(16).default([8, 16, 32]),
  ratios: z.array(positive).min(1).max(16).default([0.5, 1, 2]),
});

const rpnSchema = z.strictObject({
  /** λ, the weight of the box-regression term of the RPN loss (paper Table 9). */
  lambda: z.number().min(0).default(10),
  batchSize: count.default(256),
  fgFraction: fraction.default(0.5),
  positiveOverlap: fraction.default(0.7),
  negativeOverlap: fraction.default(0.3),
});

const proposalPhaseSchema = (preNmsTopN: number, postNmsTopN: number) =>
  z.strictObject({
    preNmsTopN: count.default(preNmsTopN),
    postNmsTopN: count.default(postNmsTopN),
    /** Table 2 ablations: "no NMS", "no cls" (random order instead of scores), "no reg" (anchors as boxes). */
    useNms: z.boolean().default(true),
    useScores: z.boolean().default(true),
    useDeltas: z.boolean().default(true),
  });

const proposalsSchema = z.strictObject({
  train: proposalPhaseSchema(12000, 2000).prefault({}),
  test: proposalPhaseSchema(6000, 300).prefault({}),
  nmsThreshold: fraction.default(0.7),
  minSize: z.number().min(0).default(16),
  /** Proposal files (boxes per image) for mode `external-proposals`, e.g. Selective Search. */
  external: z
    .strictObject({ name: z.string().min(1).default('external'), train: z.string().min(1), test: z.string().min(1) })
    .optional(),
});

const roiSchema = z.strictObject({
  pool: z.enum(['max', 'align']).default('max'),
  /** Pooled size; 6 for ZF, 7 otherwise when absent. */
  poolSize: count.optional(),
  batchSize: count.default(128),
  fgFraction: fraction.default(0.25),
  fgThreshold: fraction.default(0.5),
  bgThresholdHi: fraction.default(0.5),
  /** Lower IoU bound of background RoIs; 0.0 in the alt-opt recipe, 0.1 otherwise, when absent. */
  bgThresholdLo: fraction.optional(),
  /** Part negatives (RoIs mostly inside a gt box, below bgThresholdLo) from this inside fraction; 0 off. The backbone's model default when absent (0.7 small, 0 zf/vgg16). */
  bgPartMinInside: fraction.optional(),
});

const testSchema = z.strictObject({
  nmsThreshold: fraction.default(0.3),
  scoreThreshold: fraction.default(0.05),
  maxDetections: count.default(100),
});

const iterationsSchema = z.strictObject({
  rpn1: count.default(80000),
  fastRcnn1: count.default(40000),
  rpn2: count.default(80000),
  fastRcnn2: count.default(40000),
  joint: count.default(70000),
});

const lrSchema = z.strictObject({
  base: positive.default(0.001),
  momentum: fraction.default(0.9),
  weightDecay: z.number().min(0).default(0.0005),
  gamma: positive.default(0.1),
  /** The learning rate drops by `gamma` after this fraction of a stage's iterations (60k of 80k). */
  stepFraction: fraction.default(0.75),
});

const shardsSchema = z.strictObject({
  proposals: z.int().min(1).max(256).default(1),
  detect: z.int().min(1).max(256).default(1),
});

export const trialConfigSchema = z
  .strictObject({
    dataset: datasetSchema,
    backbone: backboneSchema.prefault({}),
    mode: z.enum(TRAINING_MODES).default('alt-opt'),
    image: imageSchema.prefault({}),
    anchors: anchorsSchema.prefault({}),
    rpn: rpnSchema.prefault({}),
    proposals: proposalsSchema.prefault({}),
    roi: roiSchema.prefault({}),
    test: testSchema.prefault({}),
    iterations: iterationsSchema.prefault({}),
    lr: lrSchema.prefault({}),
    seed: z.int().min(0).max(2 ** 31 - 1).default(0),
    metrics: z.array(z.enum(METRICS)).min(1).default(['voc07']),
    shards: shardsSchema.prefault({}),
    /** Iterations between checkpoints; does not change results, so no stage key reads it. */
    checkpointEvery: count.default(1000),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'external-proposals' && !c.proposals.external) {
      ctx.addIssue({ code: 'custom', path: ['proposals', 'external'], message: 'is required when mode is external-proposals' });
    }
    if (c.rpn.negativeOverlap > c.rpn.positiveOverlap) {
      ctx.addIssue({ code: 'custom', path: ['rpn', 'negativeOverlap'], message: `must not exceed rpn.positiveOverlap (${c.rpn.positiveOverlap})` });
    }
    if (c.roi.bgThresholdLo !== undefined && c.roi.bgThresholdLo > c.roi.bgThresholdHi) {
      ctx.addIssue({ code: 'custom', path: ['roi', 'bgThresholdLo'], message: `must not exceed roi.bgThresholdHi (${c.roi.bgThresholdHi})` });
    }
    for (const key of ['scales', 'ratios'] as const) {
      if (new Set(c.anchors[key]).size !== c.anchors[key].length) {
        ctx.addIssue({ code: 'custom', path: ['anchors', key], message: `has repeated values ${JSON.stringify(c.anchors[key])}` });
      }
    }
  });

type Parsed = z.output<typeof trialConfigSchema>;

/** A fully resolved trial config: every field present, mode-dependent defaults filled in. */
export type TrialConfig = Omit<Parsed, 'roi'> & { roi: Required<Parsed['roi']> };
/** What a user may write: any subset of fields (dataset.name is required). */
export type TrialConfigInput = z.input<typeof trialConfigSchema>;

/** `a.b[2].c` from a zod issue path, prefixed by where the object sits (e.g. `base`). */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

/** The path of an issue; an unknown key is named in the path itself (`anchors.scalez`). */
export function issuePath(prefix: string, issue: z.core.$ZodIssue): string {
  const path = issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]] : issue.path;
  return formatPath(prefix, path);
}

/** The first problems of a zod error as `path: message` lines. */
export function formatIssues(err: z.ZodError, prefix: string, max = 5): string {
  const lines = err.issues.slice(0, max).map((i) => `${issuePath(prefix, i)}: ${i.message}`);
  if (err.issues.length > max) lines.push(`... and ${err.issues.length - max} more`);
  return lines.join('; ');
}

/**
 * Validate and resolve a trial config. `source` names the file (or "sweep X, trial 3") and
 * `prefix` the place of the config inside it; both appear in the InputError on bad input.
 */
export function parseTrialConfig(input: unknown, source = 'trial config', prefix = ''): TrialConfig {
  const r = trialConfigSchema.safeParse(input);
  if (!r.success) {
    throw new InputError(source, formatIssues(r.error, prefix), { cause: r.error });
  }
  const c = r.data;
  return {
    ...c,
    roi: {
      ...c.roi,
      poolSize: c.roi.poolSize ?? (c.backbone.name === 'zf' ? 6 : 7),
      bgThresholdLo: c.roi.bgThresholdLo ?? (c.mode === 'alt-opt' ? 0.0 : 0.1),
      // Resolved here so stage keys carry it.
      bgPartMinInside: c.roi.bgPartMinInside ?? defaultModelConfig(c.backbone.name).boxBgPartMinInside,
    },
  };
}
