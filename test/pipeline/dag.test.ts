import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrialDag, type TrialDag } from '../../src/pipeline/dag.ts';
import { parseTrialConfig } from '../../src/pipeline/trial-config.ts';
import { shardRange } from '../../src/pipeline/stage-kind.ts';

function checkTopological(dag: TrialDag): void {
  const seen = new Set<string>();
  for (const n of dag.nodes) {
    for (const [role, k] of Object.entries(n.inputs)) assert.ok(seen.has(k), `${n.name}.${role} comes before its producer`);
    assert.ok(!seen.has(n.key), `${n.name} appears twice`);
    seen.add(n.key);
  }
  assert.equal(dag.nodes[dag.nodes.length - 1].key, dag.sink);
}

function shape(dag: TrialDag): string[] {
  const nameOf = new Map(dag.nodes.map((n) => [n.key, n.name]));
  return dag.nodes.map((n) => `${n.name}(${Object.entries(n.inputs).map(([r, k]) => `${r}=${nameOf.get(k)}`).join(',')})`);
}

test('alt-opt is the paper\'s seven steps, then sharded detect, merge and evaluate', () => {
  const dag = buildTrialDag(parseTrialConfig({ dataset: { name: 'voc07' }, shards: { proposals: 2, detect: 3 } }));
  checkTopological(dag);
  assert.deepEqual(shape(dag), [
    'rpn1()',
    'proposals1.shard-0(model=rpn1)',
    'proposals1.shard-1(model=rpn1)',
    'proposals1.merge(shard.0=proposals1.shard-0,shard.1=proposals1.shard-1)',
    'fast_rcnn1(proposals=proposals1.merge)',
    'rpn2(init=fast_rcnn1)',
    'proposals2.shard-0(model=rpn2)',
    'proposals2.shard-1(model=rpn2)',
    'proposals2.merge(shard.0=proposals2.shard-0,shard.1=proposals2.shard-1)',
    'fast_rcnn2(init=rpn2,proposals=proposals2.merge)',
    'assemble(fastRcnn=fast_rcnn2,rpn=rpn2)',
    'detect.shard-0(model=assemble)',
    'detect.shard-1(model=assemble)',
    'detect.shard-2(model=assemble)',
    'detect.merge(shard.0=detect.shard-0,shard.1=detect.shard-1,shard.2=detect.shard-2)',
    'evaluate(detections=detect.merge)',
  ]);
  const byName = new Map(dag.nodes.map((n) => [n.name, n]));
  assert.deepEqual(byName.get('rpn2')?.spec, { kind: 'train_rpn', step: 2, init: 'input', freezeConv: true });
  assert.equal(dag.model, byName.get('assemble')?.key);
  assert.equal(byName.get('rpn1')?.resources.gpu, true);
  assert.equal(byName.get('evaluate')?.resources.gpu, false);
  // VGG16 step 1 RPN: 80k iterations at 0.2 s.
  assert.equal(byName.get('rpn1')?.cost, 16000);
});

test('end2end, unshared and external-proposals DAGs', () => {
  const e2e = buildTrialDag(parseTrialConfig({ dataset: { name: 'voc07' }, mode: 'end2end' }));
  checkTopological(e2e);
  assert.deepEqual(shape(e2e), ['joint()', 'detect.shard-0(model=joint)', 'detect.merge(shard.0=detect.shard-0)', 'evaluate(detections=detect.merge)']);

  const unshared = buildTrialDag(parseTrialConfig({ dataset: { name: 'voc07' }, mode: 'unshared' }));
  checkTopological(unshared);
  assert.deepEqual(shape(unshared).slice(0, 4), ['rpn1()', 'proposals1.shard-0(model=rpn1)', 'proposals1.merge(shard.0=proposals1.shard-0)', 'fast_rcnn1(proposals=proposals1.merge)']);
  assert.equal(shape(unshared)[4], 'assemble(fastRcnn=fast_rcnn1,rpn=rpn1)');
  assert.deepEqual(unshared.nodes[4].spec, { kind: 'assemble', sharedConv: false });

  const ext = buildTrialDag(
    parseTrialConfig({ dataset: { name: 'voc07' }, mode: 'external-proposals', proposals: { external: { name: 'ss', train: 's3://p/ss-trainval.bin', test: 's3://p/ss-test.bin' } } }),
  );
  checkTopological(ext);
  assert.deepEqual(shape(ext), ['fast_rcnn1()', 'detect.shard-0(model=fast_rcnn1)', 'detect.merge(shard.0=detect.shard-0)', 'evaluate(detections=detect.merge)']);
  assert.equal((ext.nodes[0].config as { externalProposals?: string }).externalProposals, 's3://p/ss-trainval.bin');
  assert.equal((ext.nodes[1].config as { externalProposals?: string }).externalProposals, 's3://p/ss-test.bin');
});

test('shards cover the images contiguously, sizes differing by at most one', () => {
  assert.deepEqual([0, 1, 2].map((index) => shardRange(10, { index, count: 3 })), [
    { start: 0, end: 3 },
    { start: 3, end: 6 },
    { start: 6, end: 10 },
  ]);
  assert.deepEqual(shardRange(2, { index: 2, count: 4 }), { start: 1, end: 1 });
  assert.throws(() => shardRange(10, { index: 3, count: 3 }), /shard 3 of 3/);
});
