import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../src/pipeline/canonical-json.ts';
import { stageKey, STAGE_KEY_VERSION } from '../../src/pipeline/stage-key.ts';
import { buildTrialDag } from '../../src/pipeline/dag.ts';
import { parseTrialConfig } from '../../src/pipeline/trial-config.ts';
import { asStageKey } from '../../src/pipeline/ids.ts';

test('canonical JSON sorts keys, drops undefined, normalises -0 and refuses NaN', () => {
  assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, d: { z: -0, y: 1.5 } }), '{"a":[true,null,"x"],"b":1,"d":{"y":1.5,"z":0}}');
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  assert.throws(() => canonicalJson({ a: { b: [1, NaN] } }), /\$\.a\.b\[1\] is NaN/);
});

test('a stage key is sha256 of the canonical (config, inputs, spec, version) document', () => {
  const input = asStageKey('ab'.repeat(32));
  const key = stageKey({ kind: 'merge_proposals', shards: 2 }, { z: 1, a: 'x' }, { 'shard.1': input, 'shard.0': input });
  const text = `{"config":{"a":"x","z":1},"inputs":{"shard.0":"${input}","shard.1":"${input}"},"spec":{"kind":"merge_proposals","shards":2},"v":${STAGE_KEY_VERSION}}`;
  assert.equal(key, createHash('sha256').update(text).digest('hex'));
});

const base = { dataset: { name: 'voc07' }, iterations: { rpn1: 100 } };
function keysByName(cfg: unknown): Map<string, string> {
  return new Map(buildTrialDag(parseTrialConfig(cfg)).nodes.map((n) => [n.name, n.key]));
}
function changed(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...a.keys()].filter((k) => a.get(k) !== b.get(k));
}

test('keys are stable under key order and change exactly downstream of a changed field', () => {
  const ref = keysByName(base);
  assert.deepEqual(keysByName({ iterations: { rpn1: 100 }, dataset: { name: 'voc07' } }), ref);
  // Test-time settings change detection only: every training stage is shared.
  assert.deepEqual(changed(ref, keysByName({ ...base, test: { nmsThreshold: 0.4 } })), ['detect.shard-0', 'detect.merge', 'evaluate']);
  assert.deepEqual(changed(ref, keysByName({ ...base, proposals: { test: { useNms: false } } })), ['detect.shard-0', 'detect.merge', 'evaluate']);
  // A new metric re-runs only evaluate.
  assert.deepEqual(changed(ref, keysByName({ ...base, metrics: ['voc07', 'coco'] })), ['evaluate']);
  // Checkpoint frequency does not change results, so no key.
  assert.deepEqual(changed(ref, keysByName({ ...base, checkpointEvery: 7 })), []);
  // λ is read by the RPN steps; everything after step 1 depends on it.
  assert.equal(changed(ref, keysByName({ ...base, rpn: { lambda: 1 } })).length, ref.size);
  // Step-2 iterations of the Fast R-CNN: only fast_rcnn2 and what follows.
  assert.deepEqual(changed(ref, keysByName({ ...base, iterations: { rpn1: 100, fastRcnn2: 5 } })), [
    'fast_rcnn2',
    'assemble',
    'detect.shard-0',
    'detect.merge',
    'evaluate',
  ]);
});

test('two trials that share a prefix share its keys', () => {
  const a = buildTrialDag(parseTrialConfig({ ...base, test: { scoreThreshold: 0.05 } }));
  const b = buildTrialDag(parseTrialConfig({ ...base, test: { scoreThreshold: 0.5 } }));
  const shared = a.nodes.filter((n) => b.nodes.some((m) => m.key === n.key)).map((n) => n.name);
  assert.deepEqual(shared, ['rpn1', 'proposals1.shard-0', 'proposals1.merge', 'fast_rcnn1', 'rpn2', 'proposals2.shard-0', 'proposals2.merge', 'fast_rcnn2', 'assemble']);
});
