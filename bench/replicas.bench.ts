/**
 * Where the second core pays on CPU training: data-parallel replicas vs wasm threads.
 *
 *   npm run bench:replicas [-- --iters 12 --width 0.5]
 *
 * Scenario: joint training of the small backbone on generated 256×256 shapes images, as
 * `frcnn train --mode end2end`. Rows, in the same run: one copy on one wasm thread (the
 * baseline), one copy on two wasm threads (XNNPACK's pool), and two replicas on one thread
 * each (two images per iteration). Figure: training images per second and the speed-up over
 * the baseline; also a pure-JS spin loop alone and two at once, which shows how independent
 * the two cores are on this machine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { spawnSync } from 'node:child_process';
import { generateShapesDataset } from '../src/data/shapes-dataset.ts';

const { values } = parseArgs({ options: { iters: { type: 'string', default: '12' }, width: { type: 'string', default: '0.5' } } });
const ITERS = Number(values.iters);

const SPIN = 'function f() { let s = 0; for (let i = 0; i < 3e8; i++) s += i * 0.5; return s; } f(); const t = Date.now(); require("node:worker_threads").parentPort.postMessage(f() + Date.now() - t);';
async function spin(copies: number): Promise<number> {
  const t = performance.now();
  await Promise.all(Array.from({ length: copies }, () => new Promise((resolve, reject) => new Worker(SPIN, { eval: true }).once('message', resolve).once('error', reject))));
  return performance.now() - t;
}

/** Runs `frcnn train` in a child process (its own backend set-up) and returns its result JSON. */
function train(dataset: string, out: string, extra: string[], env: Record<string, string>): { msPerIteration: number; replicas: number; iterations: number } {
  const r = spawnSync(process.execPath, ['bin/frcnn.js', 'train', '--mode', 'end2end', '--dataset', dataset, '--out', out, '--iters', String(ITERS), '--width', String(values.width), '--no-eval', '--json', '--checkpoint-every', '0', ...extra], {
    env: { ...process.env, FRCNN_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`train failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const dir = await mkdtemp(join(tmpdir(), 'frcnn-bench-replicas-'));
try {
  const dataset = join(dir, 'shapes');
  await generateShapesDataset({ out: dataset, train: 40, test: 1 });
  const one = await spin(1);
  const two = await spin(2);
  console.log(`spin loop: one alone ${one.toFixed(0)} ms, two at once ${two.toFixed(0)} ms (1.00 = independent cores, 2.00 = one core shared): ${(two / one).toFixed(2)}`);

  const rows: Array<[string, string[], Record<string, string>]> = [
    ['1 copy, 1 wasm thread (baseline)', ['--replicas', '1'], { FRCNN_THREADS: '1' }],
    ['1 copy, 2 wasm threads', ['--replicas', '1'], { FRCNN_THREADS: '2' }],
    ['2 replicas, 1 wasm thread each', ['--replicas', '2'], {}],
  ];
  console.log(`\n| small backbone, width ${values.width}, 256×256, ${ITERS} iterations | ms/iteration | images/s | speed-up |`);
  console.log('|---|---:|---:|---:|');
  let base = 0;
  for (const [label, args, env] of rows) {
    const r = train(dataset, join(dir, label.replace(/\W+/g, '-')), args, env);
    const ips = (1000 * r.replicas) / r.msPerIteration;
    if (!base) base = ips;
    console.log(`| ${label} | ${r.msPerIteration.toFixed(0)} | ${ips.toFixed(2)} | ${(ips / base).toFixed(2)}× |`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
