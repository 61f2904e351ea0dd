import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS } from '../../src/demo/plan.ts';
import { prepareSweep, readSweepFile, withDemoDataset } from '../../src/demo/sweep-file.ts';
import { buildTrialDag } from '../../src/pipeline/dag.ts';
import { InputError } from '../../src/util/errors.ts';

const dataset = { root: '/data/shapes-128px', digest: 'sha256:abc' };

test('the built-in demo sweep: 2 anchor settings × 2 λ × 2 modes on the generated dataset', async () => {
  const file = PRESETS.full.sweepFile;
  const s = prepareSweep(await readSweepFile(file), file, dataset);
  assert.equal(s.usesDemoDataset, true);
  assert.equal(s.trials.length, 8);
  for (const t of s.trials) {
    assert.equal(t.config.dataset.root, dataset.root);
    assert.equal(t.config.dataset.digest, dataset.digest);
    assert.equal(t.config.backbone.name, 'small');
  }
  assert.deepEqual(new Set(s.trials.map((t) => t.config.mode)), new Set(['end2end', 'alt-opt']));
  assert.deepEqual(new Set(s.trials.map((t) => t.config.rpn.lambda)), new Set([1, 10]));
  // The DAGs are the paper's: joint training, or two RPN and two Fast R-CNN steps.
  const e2e = buildTrialDag(s.trials.find((t) => t.config.mode === 'end2end')!.config);
  const alt = buildTrialDag(s.trials.find((t) => t.config.mode === 'alt-opt')!.config);
  assert.deepEqual([...new Set(e2e.nodes.map((n) => n.spec.kind))], ['train_joint', 'detect', 'merge_detections', 'evaluate']);
  assert.equal(alt.nodes.filter((n) => n.spec.kind === 'train_rpn').length, 2);
  assert.equal(alt.nodes.filter((n) => n.spec.kind === 'train_fast_rcnn').length, 2);
});

test('the quick sweep has both modes and the same anchor settings', async () => {
  const file = PRESETS.quick.sweepFile;
  const s = prepareSweep(await readSweepFile(file), file, dataset);
  assert.equal(s.trials.length, 4);
  assert.deepEqual(new Set(s.trials.map((t) => t.config.mode)), new Set(['end2end', 'alt-opt']));
});

test('the idempotency key follows the content: same spec and dataset, same key', async () => {
  const file = PRESETS.quick.sweepFile;
  const text = await readSweepFile(file);
  const a = prepareSweep(text, file, dataset);
  const b = prepareSweep(text, file, dataset);
  const c = prepareSweep(text, file, { ...dataset, digest: 'sha256:other' });
  assert.equal(a.idempotencyKey, b.idempotencyKey);
  assert.notEqual(a.idempotencyKey, c.idempotencyKey);
  assert.match(a.idempotencyKey, /^demo-[0-9a-f]{24}$/);
});

test('a spec with its own dataset root or another dataset is left alone', () => {
  const own = 'name: x\nbase: { dataset: { name: shapes, root: /mine } }\n';
  assert.deepEqual(withDemoDataset(own, 'x.yaml', dataset), { text: own, filled: false });
  const voc = 'name: x\nbase: { dataset: { name: voc07 } }\n';
  assert.deepEqual(withDemoDataset(voc, 'x.yaml', dataset), { text: voc, filled: false });
});

test('a JSON spec stays JSON when the dataset is filled in', () => {
  const s = prepareSweep(JSON.stringify({ name: 'j', base: { dataset: { name: 'shapes' } } }), 'j.json', dataset);
  assert.equal(JSON.parse(s.text).base.dataset.root, dataset.root);
  assert.equal(s.trials.length, 1);
});

test('bad specs name the file and the field; unreadable files name the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'demo-sweep-'));
  try {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: bad\nbase: { dataset: { name: shapes } }\naxes:\n  - grid:\n      rpn.lambda: [1, -2]\n');
    assert.throws(() => prepareSweep('name: bad\nbase: { dataset: { name: shapes } }\naxes:\n  - grid:\n      rpn.lambda: [1, -2]\n', file, dataset), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /bad\.yaml:\d+: axes\[0\]\.grid\.rpn\.lambda\[1\]/);
      return true;
    });
    await assert.rejects(readSweepFile(join(dir, 'missing.yaml')), (err: unknown) => err instanceof InputError && /missing\.yaml: cannot read/.test(err.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
