/** What `frcnn detect` does, as a function: load a detector, run it over a split, write both result formats. */
import { loadVocDataset } from '../data/voc.ts';
import { directoryIOHandler } from '../storage/tfjs-io.ts';
import * as tf from '@tensorflow/tfjs-core';
import { setupComputeForCopies } from './compute.ts';
import { detectEntries, writeDetections } from './inference.ts';
import { loadDetector } from './training/checkpoint.ts';

export interface DetectCommandOptions {
  model: string;
  dataset: string;
  split: string;
  out: string;
  backend?: 'tensorflow' | 'wasm' | 'cpu';
  threads?: number;
  /** Detection worker threads besides this one (default: the free cores − 1 on CPU backends; 0 with pinned threads). */
  workers?: number;
  progress?: 'bar' | 'lines' | 'silent';
}

export interface DetectCommandResult {
  backend: string;
  /** Threads that detected: this one plus the workers. */
  copies: number;
  images: number;
  detections: number;
  seconds: number;
  msPerImage: number;
  /** Mean per-image stage times (ms), as the paper's Table 5. */
  timings: { conv: number; proposal: number; region: number };
  json: string;
  voc: string[];
}

export async function runDetectCommand(opts: DetectCommandOptions): Promise<DetectCommandResult> {
  const { backend, copies } = await setupComputeForCopies({ backend: opts.backend, threads: opts.threads, copies: opts.workers === undefined ? undefined : opts.workers + 1, auto: true });
  const workers = copies - 1;
  const { model, checkpoint } = await loadDetector(directoryIOHandler(opts.model), opts.model);
  tf.dispose([checkpoint.weights, checkpoint.slots]);
  try {
    const dataset = await loadVocDataset(opts.dataset, { splits: [opts.split], classes: model.config.classes });
    const entries = dataset.split(opts.split);
    const r = await detectEntries(model, entries, { progress: opts.progress, workers, backend: backend.name });
    const files = await writeDetections(opts.out, opts.split, r.detections, model.config.classes);
    const n = Math.max(r.images, 1);
    return {
      backend: backend.device,
      copies: workers + 1,
      images: r.images,
      detections: r.detections.scores.length,
      seconds: r.seconds,
      msPerImage: (1000 * r.seconds) / n,
      timings: { conv: r.timings.conv / n, proposal: r.timings.proposal / n, region: r.timings.region / n },
      json: files.json,
      voc: files.voc,
    };
  } finally {
    model.dispose();
  }
}
