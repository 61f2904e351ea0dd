/**
 * What the demo runs: the dataset it generates and the sweep it submits, for the full demo
 * (`npm start`) and for `--quick` (tests and smoke runs). The sweep files live next to this
 * one; their iteration counts and the dataset size were chosen from measurements recorded in
 * the comments below, so the full sweep ends within 15 minutes on 2 cores.
 */
import { fileURLToPath } from 'node:url';
import type { ShapesParams } from './dataset.ts';

export type PresetName = 'full' | 'quick';

export interface DemoPreset {
  name: PresetName;
  dataset: ShapesParams;
  /** The built-in sweep spec (YAML). */
  sweepFile: string;
}

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

/*
 * Measured on this project's 2-core machines (tfjs wasm, one thread per trainer), 128-px images:
 *   joint training 0.34 CPU-s per iteration (`frcnn train`-equivalent, 150 iterations);
 *   a full demo run with joint 400 / alt-opt 4 × 200 iterations: 8/8 trials, VOC07 mAP
 *   24–27 % end2end and 10–18 % alt-opt (chance is ~0), 41 min of stage time at about half a
 *   core each on a machine shared with other work — about 10–12 min of wall time alone.
 * The counts in demo-sweep.yaml are 12 % below that run to keep a margin under 15 minutes:
 * with them (joint 350 / alt-opt 4 × 175) a run took 24m06s of wall time at load 8–15 on the
 * 2 cores, and its processes used 19m31s of CPU — about 10 min of work per core, 11–12 min
 * alone with start-up and the last stage's tail; VOC07 mAP 18–28 % end2end, 10–18 % alt-opt.
 * With the half-width small backbone (the default since): 7m57s of wall time on an idle
 * machine, 15m25s of CPU; VOC07 mAP 20–32 % end2end, 14–21 % alt-opt.
 */

export const PRESETS: Record<PresetName, DemoPreset> = {
  // 128-px images keep one small-backbone step cheap; objects of 24–64 px sit on the
  // stride-16 feature map (smaller ones mostly fall between its cells); 200 training images
  // are two epochs of joint training, 100 test images give mAPs that separate the settings.
  full: { name: 'full', dataset: { size: 128, train: 200, test: 100, seed: 1, sides: [24, 64] }, sweepFile: here('./demo-sweep.yaml') },
  quick: { name: 'quick', dataset: { size: 128, train: 24, test: 12, seed: 1 }, sweepFile: here('./quick-sweep.yaml') },
};
