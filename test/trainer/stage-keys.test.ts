/**
 * Stage keys of the trials the local runner builds: two trials that differ only late in the
 * pipeline share the keys (and so the committed outputs) of their common prefix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrialDag } from '../../src/pipeline/dag.ts';
import { parseTrialConfig, type TrialConfigInput } from '../../src/pipeline/trial-config.ts';
import { iterationsFor } from '../../src/trainer/run-command.ts';

const base: TrialConfigInput = {
  dataset: { name: 'shapes', root: '/data/shapes', digest: 'sha256:abc' },
  backbone: { name: 'small' },
  mode: 'alt-opt',
  iterations: iterationsFor(70),
  seed: 3,
};

function keysByName(input: TrialConfigInput): Map<string, string> {
  return new Map(buildTrialDag(parseTrialConfig(input)).nodes.map((n) => [n.name, n.key]));
}

test('a different test NMS threshold changes only detect and evaluate', () => {
  const a = keysByName(base);
  const b = keysByName({ ...base, test: { nmsThreshold: 0.4 } });
  for (const [name, key] of a) {
    if (name.startsWith('detect') || name === 'evaluate') assert.notEqual(b.get(name), key, name);
    else assert.equal(b.get(name), key, name);
  }
});

test('a different step-2 Fast R-CNN schedule shares steps 1-5 and reruns step 6 onwards', () => {
  const a = keysByName(base);
  const b = keysByName({ ...base, iterations: { ...iterationsFor(70), fastRcnn2: 7 } });
  const shared = ['rpn1', 'proposals1.shard-0', 'proposals1.merge', 'fast_rcnn1', 'rpn2', 'proposals2.shard-0', 'proposals2.merge'];
  for (const name of shared) assert.equal(b.get(name), a.get(name), name);
  for (const name of ['fast_rcnn2', 'assemble', 'detect.shard-0', 'detect.merge', 'evaluate']) assert.notEqual(b.get(name), a.get(name), name);
});

test('unshared mode reuses the alt-opt RPN and proposals; checkpoint spacing changes no key', () => {
  const alt = keysByName(base);
  const unshared = keysByName({ ...base, mode: 'unshared', checkpointEvery: 7 });
  for (const name of ['rpn1', 'proposals1.shard-0', 'proposals1.merge']) assert.equal(unshared.get(name), alt.get(name), name);
  // The alt-opt recipe samples background RoIs from IoU 0.0, the others from 0.1 ...
  assert.notEqual(unshared.get('fast_rcnn1'), alt.get('fast_rcnn1'));
  // ... so with the threshold pinned, step 3 is shared too.
  const pinned = keysByName({ ...base, mode: 'unshared', roi: { bgThresholdLo: 0 } });
  assert.equal(pinned.get('fast_rcnn1'), alt.get('fast_rcnn1'));
  assert.notEqual(pinned.get('assemble'), alt.get('assemble'));
});

test('another dataset digest or seed changes every training key', () => {
  const a = keysByName(base);
  const b = keysByName({ ...base, dataset: { ...base.dataset, digest: 'sha256:def' } });
  const c = keysByName({ ...base, seed: 4 });
  for (const name of ['rpn1', 'fast_rcnn1', 'rpn2', 'fast_rcnn2']) {
    assert.notEqual(b.get(name), a.get(name), name);
    assert.notEqual(c.get(name), a.get(name), name);
  }
});

test('the paper schedule: 80k/40k per alt-opt step for 70k joint iterations', () => {
  assert.deepEqual(iterationsFor(70000), { rpn1: 80000, fastRcnn1: 40000, rpn2: 80000, fastRcnn2: 40000, joint: 70000 });
  assert.deepEqual(iterationsFor(1), { rpn1: 1, fastRcnn1: 1, rpn2: 1, fastRcnn2: 1, joint: 1 });
});
