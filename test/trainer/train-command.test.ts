/**
 * `frcnn train` dispatch: the non-end2end modes go through the pipeline runner, which refuses
 * the single-loop trainer's flags by name instead of ignoring them; `frcnn pipeline` has help.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { usesPipeline } from '../../src/trainer/train-dispatch.ts';

const BIN = fileURLToPath(new URL('../../bin/frcnn.js', import.meta.url));
const frcnn = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

test('modes other than end2end, and end2end with --store, use the pipeline runner', () => {
  assert.equal(usesPipeline({ mode: 'end2end' }), false);
  assert.equal(usesPipeline({ mode: 'end2end', store: 's3://b/p' }), true);
  for (const mode of ['alt-opt', 'unshared', 'external-proposals', 'alternating', 'fast-rcnn']) assert.equal(usesPipeline({ mode }), true, mode);
});

test('flags the stage functions do not take are refused by name; unknown modes are listed', () => {
  const warm = frcnn('train', '--mode', 'alt-opt', '--dataset', '/nonexistent', '--out', '/tmp/x', '--warmup', '5');
  assert.equal(warm.status, 2);
  assert.match(warm.stderr, /--warmup is not available with --mode alt-opt/);
  const resume = frcnn('train', '--mode', 'unshared', '--dataset', '/nonexistent', '--out', '/tmp/x', '--resume');
  assert.equal(resume.status, 2);
  assert.match(resume.stderr, /--resume \(a rerun of the same command resumes by itself\) is not available/);
  const bad = frcnn('train', '--mode', 'joint', '--dataset', '/nonexistent', '--out', '/tmp/x');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--mode: expected one of end2end, alt-opt, unshared, external-proposals, got "joint"/);
  const run = frcnn('pipeline', 'run', '--mode', 'alt-opt', '--dataset', '/nonexistent/voc', '--store', '/tmp/x');
  assert.equal(run.status, 1);
  assert.match(run.stderr, /\/nonexistent\/voc/);
});

test('frcnn pipeline run and upload-dataset describe their options', () => {
  const help = frcnn('pipeline', 'run', '--help');
  assert.equal(help.status, 0);
  for (const flag of ['--mode', '--dataset', '--store', '--iters', '--checkpoint-every', '--shards', '--external-train']) assert.ok(help.stdout.includes(flag), flag);
  const up = frcnn('pipeline', 'upload-dataset', '--help');
  assert.equal(up.status, 0);
  assert.match(up.stdout, /--name <name>/);
});
