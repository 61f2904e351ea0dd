/**
 * The sweep the demo submits: a spec file (the built-in one or `--sweep FILE`) with the
 * generated dataset filled in where the spec names the shapes dataset without a root, then
 * validated and expanded here first, so a bad file is reported before any process starts.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isMap, parseDocument } from 'yaml';
import { expandSweep, parseSweepSpec, type SweepSpec, type TrialPlan } from '../pipeline/sweep-spec.ts';
import { InputError } from '../util/errors.ts';
import type { DemoDataset } from './dataset.ts';

export interface PreparedSweep {
  /** The spec text as submitted. */
  text: string;
  /** The name errors and the coordinator show for it. */
  source: string;
  spec: SweepSpec;
  trials: TrialPlan[];
  /** Same spec text, same key: a rerun gets the first sweep back instead of a new one. */
  idempotencyKey: string;
  /** True when the demo's dataset was filled in. */
  usesDemoDataset: boolean;
}

/** Read a spec file; InputError naming the file when it cannot be read. */
export async function readSweepFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, `cannot read the sweep spec: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Fill `base.dataset.root` and `base.dataset.digest` with the demo's shapes tree when the spec
 * asks for `dataset.name: shapes` and gives no root; leave any other dataset alone.
 */
export function withDemoDataset(text: string, source: string, dataset: Pick<DemoDataset, 'root' | 'digest'>): { text: string; filled: boolean } {
  const doc = parseDocument(text, { uniqueKeys: true });
  // Malformed files are reported by parseSweepSpec with their line; leave them unchanged.
  if (doc.errors.length > 0 || !isMap(doc.contents)) return { text, filled: false };
  const name = doc.getIn(['base', 'dataset', 'name']);
  if (name !== 'shapes' || doc.hasIn(['base', 'dataset', 'root'])) return { text, filled: false };
  doc.setIn(['base', 'dataset', 'root'], dataset.root);
  doc.setIn(['base', 'dataset', 'digest'], dataset.digest);
  // A .json spec stays JSON (the parser picks the format by the extension).
  return { text: source.endsWith('.json') ? `${JSON.stringify(doc.toJS(), null, 2)}\n` : doc.toString({ lineWidth: 0 }), filled: true };
}

export function prepareSweep(text: string, file: string, dataset: Pick<DemoDataset, 'root' | 'digest'>): PreparedSweep {
  const source = file;
  const filled = withDemoDataset(text, file, dataset);
  const spec = parseSweepSpec(filled.text, source);
  const trials = expandSweep(spec, source);
  const idempotencyKey = `demo-${createHash('sha256').update(filled.text).digest('hex').slice(0, 24)}`;
  return { text: filled.text, source, spec, trials, idempotencyKey, usesDemoDataset: filled.filled };
}
