/**
 * The demo's dataset: the generated shapes tree under `<workdir>/datasets/`, in a folder named
 * by its parameters so a rerun with the same parameters reuses it and different parameters
 * never mix. It is generated into a `.partial` folder and renamed when complete, so an
 * interrupted generation is redone rather than half-used.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ShapesParams {
  /** Image side in pixels. */
  size: number;
  train: number;
  test: number;
  seed: number;
  /** Object sizes in pixels, sqrt(w × h), [min, max]; the generator's default scales with the image. */
  sides?: [number, number];
}

export interface DemoDataset {
  /** Absolute path of the VOC tree. */
  root: string;
  /** `datasetDigest` over every split, as `frcnn pipeline run` records it. */
  digest: string;
  classes: string[];
  /** Images per split. */
  counts: Record<string, number>;
  /** True when an existing tree was reused. */
  reused: boolean;
  seconds: number;
}

/** `shapes-128px-300train-100test-seed1` (`-sides20-64` when the object sizes are set) */
export function shapesDirName(p: ShapesParams): string {
  return `shapes-${p.size}px-${p.train}train-${p.test}test-seed${p.seed}${p.sides ? `-sides${p.sides[0]}-${p.sides[1]}` : ''}`;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/** The shapes tree for `params` under `<workdir>/datasets`, generated when absent. */
export async function ensureShapesDataset(workdir: string, params: ShapesParams, opts: { progress?: boolean } = {}): Promise<DemoDataset> {
  const t0 = performance.now();
  const root = join(workdir, 'datasets', shapesDirName(params));
  const reused = await exists(root);
  if (!reused) {
    const { generateShapesDataset } = await import('../data/shapes-dataset.ts');
    const partial = `${root}.partial`;
    await rm(partial, { recursive: true, force: true });
    await generateShapesDataset({
      out: partial,
      train: params.train,
      test: params.test,
      size: params.size,
      seed: params.seed,
      render: params.sides ? { minSide: params.sides[0], maxSide: params.sides[1] } : undefined,
      progress: opts.progress,
    });
    await rename(partial, root);
  }
  const { loadVocDataset } = await import('../data/voc.ts');
  const { datasetDigest } = await import('../data/digest.ts');
  const ds = await loadVocDataset(root);
  const counts = Object.fromEntries(ds.splits.map((s) => [s, ds.split(s).length]));
  return { root, digest: await datasetDigest(ds, ds.splits), classes: [...ds.classes], counts, reused, seconds: (performance.now() - t0) / 1000 };
}
