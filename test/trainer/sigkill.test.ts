/**
 * The runner survives SIGKILL: `frcnn pipeline run --mode alt-opt` killed in the middle of a
 * training stage (right after its first checkpoint), then rerun with the same command, skips
 * the committed stages, resumes the interrupted one from its checkpoint, and ends with the
 * same final weights and mAP as an uninterrupted run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsObjectStore } from '../../src/storage/fs-store.ts';
import { tryOpenArtifact } from '../../src/storage/artifact.ts';
import { tinyShapes } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/frcnn.js', import.meta.url));
const root = await tinyShapes();

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI; `killWhen` sees stderr as it grows and returns true to SIGKILL the process. */
function frcnn(args: string[], killWhen?: (stderr: string) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FRCNN_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (killWhen && child.exitCode === null && !child.killed && killWhen(stderr)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const args = (store: string) => [
  'pipeline', 'run', '--mode', 'alt-opt', '--dataset', root, '--store', store, '--backbone', 'small',
  '--iters', '4', '--limit', '12', '--checkpoint-every', '1', '--scale', '96', '--seed', '3', '--json',
];

test('SIGKILL in the middle of a stage, rerun: skips committed stages, resumes, same result', { timeout: 240_000 }, async () => {
  const killedStore = await mkdtemp(join(tmpdir(), 'frcnn-sigkill-'));
  const cleanStore = await mkdtemp(join(tmpdir(), 'frcnn-sigkill-ref-'));
  // The uninterrupted reference runs alongside (2 cores).
  const reference = frcnn(args(cleanStore));
  const killed = await frcnn(args(killedStore), (err) => /checkpoint fast_rcnn1: /.test(err));
  assert.equal(killed.signal, 'SIGKILL', `the run ended before fast_rcnn1 checkpointed:\n${killed.stderr.slice(-2000)}`);
  assert.match(killed.stderr, /done rpn1 /);
  assert.doesNotMatch(killed.stderr, /done fast_rcnn1 /);

  const rerun = await frcnn(args(killedStore));
  assert.equal(rerun.code, 0, rerun.stderr.slice(-3000));
  for (const name of ['rpn1', 'proposals1.shard-0', 'proposals1.merge']) assert.match(rerun.stderr, new RegExp(`skip ${name.replace('.', '\\.')}: committed`), name);
  assert.match(rerun.stderr, /resume fast_rcnn1 \(attempt a2\) from checkpoint stages\/[0-9a-f]{64}\/attempts\/a1\/checkpoints\/iter-000001\//);
  const resumed = JSON.parse(rerun.stdout) as { evaluation: { voc07: number; voc2010: number }; stages: Array<{ name: string; status: string; key: string; result: { resumedAt?: number } }> };
  const byName = new Map(resumed.stages.map((s) => [s.name, s]));
  assert.equal(byName.get('rpn1')!.status, 'skipped');
  assert.equal(byName.get('fast_rcnn1')!.status, 'resumed');
  assert.equal(byName.get('fast_rcnn1')!.result.resumedAt, 1);
  assert.equal(byName.get('rpn2')!.status, 'ran');

  const ref = await reference;
  assert.equal(ref.code, 0, ref.stderr.slice(-3000));
  const clean = JSON.parse(ref.stdout) as typeof resumed;
  assert.ok(Math.abs(clean.evaluation.voc07 - resumed.evaluation.voc07) <= 0.01, `mAP ${resumed.evaluation.voc07} vs ${clean.evaluation.voc07}`);
  // Resumption is exact, so the final detector is the same to the bit: same keys, same weight checksums.
  const assembleKey = byName.get('assemble')!.key;
  assert.equal(clean.stages.find((s) => s.name === 'assemble')!.key, assembleKey);
  const weights = async (dir: string) => {
    const art = await tryOpenArtifact(new FsObjectStore(dir), `stages/${assembleKey}`);
    assert.ok(art, `assemble not committed in ${dir}`);
    return art.manifest.files.filter((f) => f.name.startsWith('model/') && f.name.endsWith('.bin')).map((f) => f.sha256);
  };
  assert.deepEqual(await weights(killedStore), await weights(cleanStore));
  assert.equal(resumed.evaluation.voc07, clean.evaluation.voc07);
});
