/** Shared fixtures for the model tests: a tiny config and synthetic image blobs. */
import type { ImageBlob } from '../../../src/data/types.ts';
import { defaultModelConfig, type ModelConfig } from '../../../src/detection/model-config.ts';
import { Rng } from '../../../src/util/rng.ts';

/** The small backbone on 48×48 inputs with 16-px anchors: a train step takes well under a second on the cpu backend. */
export function tinyConfig(): ModelConfig {
  return {
    ...defaultModelConfig('small'),
    classes: ['square', 'bar'],
    anchorScales: [1, 2],
    anchorRatios: [1],
    rpnBatchSize: 32,
    boxBatchSize: 16,
    rpnPreNmsTopN: { training: 200, testing: 100 },
    rpnPostNmsTopN: { training: 50, testing: 20 },
    rpnMinSize: 2,
    imageTargetSize: 48,
    imageMaxSize: 48,
  };
}

/** A 48×48 blob with a bright square (class 1) and a bar (class 2) on a dark background. */
export function syntheticBlob(seed: number, size = 48): ImageBlob {
  const rng = new Rng(seed);
  const pixels = new Float32Array(size * size * 3).map(() => -50 + 10 * rng.normal());
  const boxes: number[] = [];
  const paint = (x1: number, y1: number, x2: number, y2: number, rgb: number[]) => {
    for (let y = y1; y <= y2; y++) for (let x = x1; x <= x2; x++) for (let c = 0; c < 3; c++) pixels[(y * size + x) * 3 + c] = rgb[c];
    boxes.push(x1, y1, x2, y2);
  };
  const sx = rng.int(0, 20);
  const sy = rng.int(0, 8);
  paint(sx, sy, sx + 15, sy + 15, [100, 60, -20]);
  const by = rng.int(28, 36);
  paint(4, by, 43, by + 9, [-20, 90, 100]);
  return { imageId: `synthetic-${seed}`, pixels, height: size, width: size, scale: 1, flipped: false, gtBoxes: Float32Array.from(boxes), gtClasses: Int32Array.of(1, 2) };
}
