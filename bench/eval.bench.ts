/**
 * bench:eval — COCO bbox evaluation of a COCO-val-sized case (5000 images, 80 categories,
 * ~36k objects, 500k detections) by frcnn and by pycocotools 2.0.11 in the same run: times,
 * speed-up, and whether all 12 stats are identical.
 *
 *   npm run bench:eval [-- --images 5000 --dets 500000 --cats 80 --seed 7]
 *
 * pycocotools runs from `.venv-bench/` (created here from /opt/pypi/files when missing); the
 * generated case is cached under `.data/bench-eval/`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readCocoGroundTruth, readCocoResults } from '../src/evaluator/coco-data.ts';
import { evaluateCoco } from '../src/evaluator/coco-eval.ts';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '5000' },
    dets: { type: 'string', default: '500000' },
    cats: { type: 'string', default: '80' },
    seed: { type: 'string', default: '7' },
    repeat: { type: 'string', default: '1' },
  },
});
const venv = join(root, '.venv-bench');
const python = join(venv, 'bin', 'python');

function run(cmd: string, args: string[], what: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr || r.error}`);
  return r.stdout;
}

function ensureVenv(): void {
  const ok = existsSync(python) && spawnSync(python, ['-c', 'import pycocotools'], { encoding: 'utf8' }).status === 0;
  if (ok) return;
  process.stderr.write('creating .venv-bench with pycocotools (offline wheels)…\n');
  run('python3', ['-m', 'venv', venv], 'python3 -m venv');
  run(python, ['-m', 'pip', 'install', '-q', '--no-index', '--find-links', '/opt/pypi/files', 'pycocotools'], 'pip install pycocotools');
}

ensureVenv();
const caseDir = join(root, '.data', 'bench-eval', `i${values.images}-d${values.dets}-c${values.cats}-s${values.seed}`);
if (!existsSync(join(caseDir, 'dt.json'))) {
  process.stderr.write(`generating ${caseDir}…\n`);
  run(python, [join(root, 'bench/eval/gen_coco.py'), caseDir, '--images', values.images, '--dets', values.dets, '--cats', values.cats, '--seed', values.seed], 'gen_coco.py');
}
const gtPath = join(caseDir, 'gt.json');
const dtPath = join(caseDir, 'dt.json');

// frcnn, in process: read + parse both files, evaluate (best of --repeat runs).
let best = Infinity;
let parseMs = 0;
let evalMs = 0;
let stats: number[] = [];
let counts = '';
for (let i = 0; i < Number(values.repeat); i++) {
  const t0 = performance.now();
  const gt = readCocoGroundTruth(gtPath);
  const dt = readCocoResults(dtPath, gt);
  const t1 = performance.now();
  const res = evaluateCoco(gt, dt);
  const t2 = performance.now();
  if (t2 - t0 < best) {
    best = t2 - t0;
    parseMs = t1 - t0;
    evalMs = t2 - t1;
  }
  stats = res.stats;
  counts = `${gt.imageIds.length} images, ${gt.categoryIds.length} categories, ${gt.image.length} objects, ${dt.image.length} detections`;
}

// pycocotools: load + loadRes + evaluate + accumulate + summarize, timed inside Python.
const t0 = performance.now();
const ref = JSON.parse(run(python, [join(root, 'bench/eval/coco_ref.py'), gtPath, dtPath], 'pycocotools'));
const wallPy = performance.now() - t0;
const pyMs = ref.seconds * 1000;

const identical = stats.length === 12 && stats.every((v, i) => v === ref.stats[i]);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`case: ${counts}`);
console.log(`frcnn:       ${s(best)}  (read+parse ${s(parseMs)}, evaluate ${s(evalMs)})`);
console.log(`pycocotools: ${s(pyMs)}  (process wall ${s(wallPy)})`);
console.log(`speed-up:    ${(pyMs / best).toFixed(1)}×`);
console.log(`stats identical (12/12 bit for bit): ${identical ? 'yes' : 'NO'}`);
if (!identical) {
  for (let i = 0; i < 12; i++) if (stats[i] !== ref.stats[i]) console.log(`  stat ${i}: frcnn ${stats[i]} pycocotools ${ref.stats[i]}`);
  process.exitCode = 1;
}
