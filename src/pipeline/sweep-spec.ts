/**
 * Sweep specs: a base trial config plus axes, in YAML or JSON.
 *
 *   name: table8-anchors
 *   base: { dataset: { name: voc07 }, backbone: { name: vgg16 }, mode: alt-opt }
 *   axes:
 *     - grid:                       # the product of every field's values
 *         anchors.scales: [[128], [256], [512], [128, 256, 512]]
 *         anchors.ratios: [[1], [0.5, 1, 2]]
 *     - list:                       # explicit points, each setting some fields together
 *         - { rpn.lambda: 1 }
 *         - { rpn.lambda: 10, lr.base: 0.002 }
 *   repeats: 3                      # or seeds: [0, 1, 2]
 *   limits: { maxTrials: 100, parallelism: 8 }
 *
 * Axes combine as a product (axis 0 varies slowest), then each point is repeated per seed.
 * Every error names the path of the bad field in the file (`axes[0].grid.rpn.lambda[2]`),
 * with its line for YAML, and nothing is expanded from a spec with an error.
 */
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { InputError } from '../util/errors.ts';
import { canonicalJson } from './canonical-json.ts';
import { formatPath, parseTrialConfig, trialConfigSchema, type TrialConfig } from './trial-config.ts';
import type { Json, JsonObject } from './executor.ts';
import { z } from 'zod';

/** Trials per sweep when the spec does not say. */
export const DEFAULT_MAX_TRIALS = 256;
/** No spec may ask for more; the coordinator may lower it further. */
export const HARD_MAX_TRIALS = 4096;
/** Largest spec text accepted (bytes). */
export const MAX_SPEC_BYTES = 1 << 20;

export interface SweepLimits {
  /** Refuse the sweep if it expands to more trials. @default 256 */
  maxTrials: number;
  /** Jobs of this sweep running at once (0: no limit). @default 0 */
  parallelism: number;
}

export interface SweepSpec {
  name: string;
  description?: string;
  base: JsonObject;
  axes: Axis[];
  seeds: number[];
  limits: SweepLimits;
  /** Share of the cluster relative to other sweeps (fairness weight). @default 1 */
  weight: number;
}

/** One field assignment: dotted config path → value. */
export type Assignment = Record<string, Json>;
export type Axis = { type: 'grid'; fields: Record<string, Json[]> } | { type: 'list'; points: Assignment[] };

export interface TrialPlan {
  index: number;
  /** Fields set by the axes for this trial (for tables and labels). */
  assignments: Assignment;
  repeat: number;
  seed: number;
  config: TrialConfig;
  /** `rpn.lambda=10 anchors.scales=[8,16,32] seed=0` */
  label: string;
}

const SAFE_PATH = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

/** Where each spec location sits in the source, for error messages. */
class Locator {
  constructor(
    private readonly source: string,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
  ) {}

  /** `sweep.yaml:12 axes[0].grid.rpn.lambda[2]` — the line when the source is YAML. */
  where(path: readonly (string | number)[]): string {
    let line = '';
    if (this.doc && this.lines) {
      for (let n = path.length; n >= 0; n--) {
        const node = this.doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) {
          line = `:${this.lines.linePos(node.range[0]).line}`;
          break;
        }
      }
    }
    return `${this.source}${line}: ${formatPath('', path)}`;
  }

  error(path: readonly (string | number)[], message: string): InputError {
    const where = this.where(path);
    const err = new InputError(where.slice(0, where.lastIndexOf(': ')), `${where.slice(where.lastIndexOf(': ') + 2)}: ${message}`);
    return err;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isJson(v: unknown): v is Json {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJson);
  if (isPlainObject(v)) return Object.values(v).every(isJson);
  return false;
}

/** Is `path` a field of the trial config? Walks the zod schema (objects, defaults, optionals). */
function knownPath(path: string): boolean {
  let schema: z.core.$ZodType = trialConfigSchema;
  for (const part of path.split('.')) {
    for (;;) {
      const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType };
      if ((def.type === 'default' || def.type === 'prefault' || def.type === 'optional') && def.innerType) schema = def.innerType;
      else break;
    }
    const def = schema._zod.def as { type: string; shape?: Record<string, z.core.$ZodType> };
    if (def.type !== 'object' || !def.shape || !(part in def.shape)) return false;
    schema = def.shape[part];
  }
  return true;
}

function setPath(target: JsonObject, path: string, value: Json): void {
  const parts = path.split('.');
  let o: JsonObject = target;
  for (const p of parts.slice(0, -1)) {
    const next = o[p];
    if (!isPlainObject(next)) o[p] = {};
    o = o[p] as JsonObject;
  }
  o[parts[parts.length - 1]] = structuredClone(value);
}

const specKeys = new Set(['name', 'description', 'base', 'axes', 'repeats', 'seeds', 'limits', 'weight']);

/**
 * Parse a sweep spec from text. `source` is the file name shown in errors; the format comes
 * from its extension (`.json` → JSON, else YAML, which also reads JSON).
 */
export function parseSweepSpec(text: string, source = 'sweep'): SweepSpec {
  if (Buffer.byteLength(text, 'utf8') > MAX_SPEC_BYTES) {
    throw new InputError(source, `spec is ${Buffer.byteLength(text, 'utf8')} bytes; the limit is ${MAX_SPEC_BYTES}`);
  }
  let raw: unknown;
  let loc: Locator;
  if (source.endsWith('.json')) {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new InputError(source, `not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    loc = new Locator(source);
  } else {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const pos = lines.linePos(e.pos[0]);
      throw new InputError(`${source}${pos.line > 0 ? `:${pos.line}:${pos.col}` : ''}`, `not valid YAML: ${e.message.split('\n')[0]}`, { cause: e });
    }
    raw = doc.toJS({ maxAliasCount: 100 });
    loc = new Locator(source, doc, lines);
  }
  return validateSweepSpec(raw, loc);
}

/** Validate an already-parsed spec object (e.g. from a JSON API). */
export function sweepSpecFromObject(raw: unknown, source = 'sweep'): SweepSpec {
  return validateSweepSpec(raw, new Locator(source));
}

function validateSweepSpec(raw: unknown, loc: Locator): SweepSpec {
  if (!isPlainObject(raw)) throw loc.error([], 'a sweep spec is a mapping with name, base and axes');
  for (const k of Object.keys(raw)) {
    if (!specKeys.has(k)) throw loc.error([k], `unknown field (expected one of ${[...specKeys].join(', ')})`);
  }
  if (typeof raw.name !== 'string' || raw.name.trim() === '' || raw.name.length > 100) {
    throw loc.error(['name'], 'required: a name of 1 to 100 characters');
  }
  if (raw.description !== undefined && typeof raw.description !== 'string') throw loc.error(['description'], 'must be a string');
  if (!isPlainObject(raw.base) || !isJson(raw.base)) throw loc.error(['base'], 'required: a mapping with the base trial config (at least dataset.name)');
  const base = raw.base as JsonObject;

  const axes: Axis[] = [];
  const rawAxes = raw.axes ?? [];
  if (!Array.isArray(rawAxes)) throw loc.error(['axes'], 'must be a list of { grid: ... } or { list: [...] }');
  rawAxes.forEach((a, i) => axes.push(parseAxis(a, i, loc)));

  const limits: SweepLimits = { maxTrials: DEFAULT_MAX_TRIALS, parallelism: 0 };
  if (raw.limits !== undefined) {
    if (!isPlainObject(raw.limits)) throw loc.error(['limits'], 'must be a mapping { maxTrials, parallelism }');
    for (const [k, v] of Object.entries(raw.limits)) {
      if (k !== 'maxTrials' && k !== 'parallelism') throw loc.error(['limits', k], 'unknown field (expected maxTrials or parallelism)');
      if (!Number.isInteger(v) || (v as number) < (k === 'maxTrials' ? 1 : 0)) throw loc.error(['limits', k], `must be an integer ≥ ${k === 'maxTrials' ? 1 : 0}, got ${JSON.stringify(v)}`);
      limits[k] = v as number;
    }
    if (limits.maxTrials > HARD_MAX_TRIALS) throw loc.error(['limits', 'maxTrials'], `${limits.maxTrials} exceeds the hard limit of ${HARD_MAX_TRIALS} trials`);
  }

  let weight = 1;
  if (raw.weight !== undefined) {
    if (typeof raw.weight !== 'number' || !(raw.weight > 0) || raw.weight > 1000) throw loc.error(['weight'], `must be a number in (0, 1000], got ${JSON.stringify(raw.weight)}`);
    weight = raw.weight;
  }

  const baseSeed = typeof base.seed === 'number' ? base.seed : 0;
  let seeds = [baseSeed];
  if (raw.repeats !== undefined) {
    if (!Number.isInteger(raw.repeats) || (raw.repeats as number) < 1 || (raw.repeats as number) > 100) throw loc.error(['repeats'], `must be an integer in [1, 100], got ${JSON.stringify(raw.repeats)}`);
    seeds = Array.from({ length: raw.repeats as number }, (_, r) => baseSeed + r);
  }
  if (raw.seeds !== undefined) {
    if (!Array.isArray(raw.seeds) || raw.seeds.length === 0 || raw.seeds.length > 100) throw loc.error(['seeds'], 'must be a list of 1 to 100 seeds');
    raw.seeds.forEach((s, i) => {
      if (!Number.isInteger(s) || s < 0 || s > 2 ** 31 - 1) throw loc.error(['seeds', i], `must be an integer in [0, 2^31), got ${JSON.stringify(s)}`);
    });
    if (new Set(raw.seeds).size !== raw.seeds.length) throw loc.error(['seeds'], 'has repeated seeds');
    if (raw.repeats !== undefined && raw.repeats !== raw.seeds.length) throw loc.error(['repeats'], `is ${raw.repeats} but seeds lists ${raw.seeds.length}`);
    seeds = raw.seeds as number[];
  }
  if (seeds.length > 1 && axes.some((a) => (a.type === 'grid' ? 'seed' in a.fields : a.points.some((p) => 'seed' in p)))) {
    throw loc.error([raw.seeds !== undefined ? 'seeds' : 'repeats'], 'cannot be combined with an axis over seed');
  }

  const spec: SweepSpec = { name: raw.name.trim(), description: raw.description as string | undefined, base, axes, seeds, limits, weight };
  // Count before expanding, so a huge product is refused without building it.
  const n = trialCount(spec);
  if (n > limits.maxTrials) {
    const sizes = axes.map((a) => (a.type === 'grid' ? Object.values(a.fields).reduce((p, v) => p * v.length, 1) : a.points.length));
    throw loc.error(['axes'], `${[...sizes, `${seeds.length} seed(s)`].join(' × ')} = ${n} trials exceeds limits.maxTrials (${limits.maxTrials})`);
  }
  // Validate every trial now: a spec with one bad point schedules nothing.
  expandWith(spec, loc);
  return spec;
}

function parseAxis(a: unknown, i: number, loc: Locator): Axis {
  if (!isPlainObject(a) || Object.keys(a).length !== 1 || !('grid' in a || 'list' in a)) {
    throw loc.error(['axes', i], 'must be { grid: { field: [values] } } or { list: [ { field: value } ] }');
  }
  const checkPath = (path: string, at: (string | number)[]) => {
    if (!SAFE_PATH.test(path) || !knownPath(path)) throw loc.error(at, `"${path}" is not a field of the trial config`);
  };
  if ('grid' in a) {
    if (!isPlainObject(a.grid) || Object.keys(a.grid).length === 0) throw loc.error(['axes', i, 'grid'], 'must map config fields to lists of values');
    const fields: Record<string, Json[]> = {};
    for (const [path, values] of Object.entries(a.grid)) {
      checkPath(path, ['axes', i, 'grid', path]);
      if (!Array.isArray(values) || values.length === 0) throw loc.error(['axes', i, 'grid', path], 'must be a non-empty list of values');
      values.forEach((v, j) => {
        if (!isJson(v)) throw loc.error(['axes', i, 'grid', path, j], 'is not a plain value');
      });
      if (new Set(values.map((v) => canonicalJson(v))).size !== values.length) throw loc.error(['axes', i, 'grid', path], 'has repeated values');
      fields[path] = values as Json[];
    }
    return { type: 'grid', fields };
  }
  if (!Array.isArray(a.list) || a.list.length === 0) throw loc.error(['axes', i, 'list'], 'must be a non-empty list of { field: value } points');
  const points: Assignment[] = a.list.map((p, j) => {
    if (!isPlainObject(p) || Object.keys(p).length === 0) throw loc.error(['axes', i, 'list', j], 'must be a mapping { field: value }');
    for (const [path, v] of Object.entries(p)) {
      checkPath(path, ['axes', i, 'list', j, path]);
      if (!isJson(v)) throw loc.error(['axes', i, 'list', j, path], 'is not a plain value');
    }
    return p as Assignment;
  });
  return { type: 'list', points };
}

/** Number of trials a spec expands to. */
export function trialCount(spec: SweepSpec): number {
  let n = spec.seeds.length;
  for (const a of spec.axes) n *= a.type === 'grid' ? Object.values(a.fields).reduce((p, v) => p * v.length, 1) : a.points.length;
  return n;
}

/** Each point of an axis with where its values came from. */
interface AxisPoint {
  assignment: Assignment;
  origin: Record<string, (string | number)[]>;
}

function axisPoints(a: Axis, i: number): AxisPoint[] {
  if (a.type === 'list') {
    return a.points.map((p, j) => ({
      assignment: p,
      origin: Object.fromEntries(Object.keys(p).map((k) => [k, ['axes', i, 'list', j, k]])),
    }));
  }
  let out: AxisPoint[] = [{ assignment: {}, origin: {} }];
  for (const [path, values] of Object.entries(a.fields)) {
    out = out.flatMap((pt) =>
      values.map((v, j) => ({ assignment: { ...pt.assignment, [path]: v }, origin: { ...pt.origin, [path]: ['axes', i, 'grid', path, j] } })),
    );
  }
  return out;
}

/** Expand a validated spec into its trials, in order (axis 0 slowest, seeds fastest). */
export function expandSweep(spec: SweepSpec, source = 'sweep'): TrialPlan[] {
  return expandWith(spec, new Locator(source));
}

function expandWith(spec: SweepSpec, loc: Locator): TrialPlan[] {
  let points: AxisPoint[] = [{ assignment: {}, origin: {} }];
  spec.axes.forEach((a, i) => {
    const next = axisPoints(a, i);
    points = points.flatMap((p) => next.map((q) => ({ assignment: { ...p.assignment, ...q.assignment }, origin: { ...p.origin, ...q.origin } })));
  });
  const trials: TrialPlan[] = [];
  for (const p of points) {
    spec.seeds.forEach((seed, repeat) => {
      const cfg: JsonObject = structuredClone(spec.base);
      for (const [path, v] of Object.entries(p.assignment)) setPath(cfg, path, v);
      if (!('seed' in p.assignment)) cfg.seed = seed;
      const r = trialConfigSchema.safeParse(cfg);
      if (!r.success) {
        const issue = r.error.issues[0];
        const path = issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]] : issue.path;
        const dotted = path.filter((s): s is string => typeof s === 'string');
        // Blame the axis value that set this field (or a parent of it), else the base.
        for (let n = dotted.length; n > 0; n--) {
          const origin = p.origin[dotted.slice(0, n).join('.')];
          if (origin) {
            const rest = path.slice(n) as (string | number)[];
            throw loc.error([...origin, ...rest], `${issue.message} (trial ${trials.length})`);
          }
        }
        throw loc.error(['base', ...(path as (string | number)[])], issue.message);
      }
      const config = parseTrialConfig(cfg);
      const label = [...Object.entries(p.assignment).map(([k, v]) => `${k}=${canonicalJson(v)}`), ...(spec.seeds.length > 1 ? [`seed=${seed}`] : [])].join(' ');
      trials.push({ index: trials.length, assignments: p.assignment, repeat, seed: config.seed, config, label: label || 'base' });
    });
  }
  return trials;
}
