import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { directoryIOHandler, CHECKPOINT_MARKER } from '../../src/storage/tfjs-io.ts';
import { isErrorNamed } from '../../src/util/errors.ts';

await tf.setBackend('cpu');

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'frcnn-tfjs-io-'));
}

/** A model's weights plus optimizer slots, as a trainer would save them. */
async function sampleArtifacts(): Promise<tf.io.ModelArtifacts> {
  const model = await tf.io.encodeWeights({
    'conv1/kernel': tf.tensor4d(Array.from({ length: 3 * 3 * 2 * 4 }, (_, i) => i * 0.25 - 3), [3, 3, 2, 4]),
    'conv1/bias': tf.tensor1d([0.5, -1, 2, 1e-7]),
    'rpn/steps': tf.tensor1d([7, 8], 'int32'),
  });
  const opt = await tf.io.encodeWeights({ 'conv1/kernel/momentum': tf.fill([3, 3, 2, 4], 0.125) }, 'optimizer');
  return {
    modelTopology: { backbone: 'small', numClasses: 3, anchors: { scales: [8, 16, 32], ratios: [0.5, 1, 2] } },
    format: 'frcnn-model',
    generatedBy: 'frcnn 0.1.0',
    convertedBy: null,
    weightSpecs: [...model.specs, ...opt.specs],
    weightData: tf.io.concatenateArrayBuffers([model.data, opt.data]),
    userDefinedMetadata: { training: { iteration: 1234, rng: [1, 2, 3, 4], lr: 0.001 } },
  };
}

function bytesOf(wd: tf.io.WeightData | undefined): Buffer[] {
  assert.ok(wd !== undefined);
  return (Array.isArray(wd) ? wd : [wd]).map((b) => Buffer.from(b));
}

test('directory handler round-trips ModelArtifacts exactly (single buffer)', async () => {
  const dir = await tempDir();
  const saved = await sampleArtifacts();
  const result = await directoryIOHandler(dir).save!(saved);
  assert.equal(result.modelArtifactsInfo.weightDataBytes, (saved.weightData as ArrayBuffer).byteLength);
  assert.deepEqual((await readdir(dir)).sort(), ['model.json', 'weights.bin']);

  const loaded = await directoryIOHandler(dir).load!();
  assert.ok(loaded.weightData instanceof ArrayBuffer);
  assert.deepEqual(bytesOf(loaded.weightData), bytesOf(saved.weightData));
  const { weightData: _a, ...restLoaded } = loaded;
  const { weightData: _b, ...restSaved } = saved;
  assert.deepEqual(restLoaded, restSaved);

  // The tensors decode to the same values, optimizer slots included.
  const t = tf.io.decodeWeights(loaded.weightData!, loaded.weightSpecs!);
  assert.deepEqual(Array.from(t['conv1/bias'].dataSync()), [0.5, -1, 2, Math.fround(1e-7)]);
  assert.deepEqual(Array.from(t['rpn/steps'].dataSync()), [7, 8]);
  assert.equal(t['conv1/kernel/momentum'].dataSync()[17], 0.125);
  assert.equal(loaded.weightSpecs!.find((s) => s.name === 'conv1/kernel/momentum')!.group, 'optimizer');

  // Standard tfjs layout: one manifest group listing the shard.
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
  assert.equal(json[CHECKPOINT_MARKER].version, 1);
  await rm(dir, { recursive: true });
});

test('ArrayBuffer[] weight data keeps its parts across shards; stale shards are removed', async () => {
  const dir = await tempDir();
  const parts = [new Uint8Array([1, 2, 3, 4, 5]).buffer, new ArrayBuffer(0), new Uint8Array([6, 7, 8, 9, 10, 11, 12]).buffer];
  const saved: tf.io.ModelArtifacts = {
    weightSpecs: [{ name: 'x', shape: [3], dtype: 'float32' }],
    weightData: parts,
    userDefinedMetadata: { iteration: 3 },
  };
  await directoryIOHandler(dir, { shardBytes: 5 }).save!(saved);
  // 12 bytes in shards of 5 -> 3 shards, standard names.
  assert.deepEqual((await readdir(dir)).sort(), ['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin', 'model.json']);
  const loaded = await directoryIOHandler(dir).load!();
  assert.ok(Array.isArray(loaded.weightData));
  assert.deepEqual(bytesOf(loaded.weightData), bytesOf(parts));
  assert.deepEqual(loaded.userDefinedMetadata, { iteration: 3 });

  // Saving a smaller checkpoint over it leaves no stale shard behind.
  await directoryIOHandler(dir).save!({ weightSpecs: [{ name: 'x', shape: [1], dtype: 'float32' }], weightData: new Float32Array([2.5]).buffer });
  assert.deepEqual((await readdir(dir)).sort(), ['model.json', 'weights.bin']);
  const again = await directoryIOHandler(dir).load!();
  assert.deepEqual(Array.from(new Float32Array(again.weightData as ArrayBuffer)), [2.5]);
  await rm(dir, { recursive: true });
});

test('a plain tfjs model.json is refused unless allowForeign, then read as the standard layout', async () => {
  const dir = await tempDir();
  const w = new Float32Array([1, 2, 3, 4]);
  await writeFile(join(dir, 'group1-shard1of2.bin'), Buffer.from(w.buffer, 0, 8));
  await writeFile(join(dir, 'group1-shard2of2.bin'), Buffer.from(w.buffer, 8, 8));
  await writeFile(
    join(dir, 'model.json'),
    JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [{ name: 'w', shape: [4], dtype: 'float32' }] }] }),
  );
  await assert.rejects(directoryIOHandler(dir).load!(), (err: Error) => {
    assert.ok(isErrorNamed(err, 'ForeignFormatError'));
    assert.match(err.message, /model\.json: not an frcnn checkpoint/);
    assert.ok(err.message.includes(join(dir, 'model.json')));
    return true;
  });
  const loaded = await directoryIOHandler(dir, { allowForeign: true }).load!();
  assert.deepEqual(Array.from(new Float32Array(loaded.weightData as ArrayBuffer)), [1, 2, 3, 4]);
  assert.equal(loaded.format, 'layers-model');
  await rm(dir, { recursive: true });
});

test('another checkpoint version, corrupt or truncated shards, traversal paths and missing dirs give clear errors', async () => {
  const dir = await tempDir();
  await directoryIOHandler(dir).save!(await sampleArtifacts());
  const modelJson = join(dir, 'model.json');
  const original = await readFile(modelJson, 'utf8');

  const v2 = JSON.parse(original);
  v2[CHECKPOINT_MARKER].version = 2;
  await writeFile(modelJson, JSON.stringify(v2));
  await assert.rejects(directoryIOHandler(dir).load!(), (err: Error) => isErrorNamed(err, 'ForeignFormatError') && /version 2; this build reads version 1/.test(err.message));

  const evil = JSON.parse(original);
  evil.weightsManifest[0].paths = ['../../etc/passwd'];
  await writeFile(modelJson, JSON.stringify(evil));
  await assert.rejects(directoryIOHandler(dir).load!(), (err: Error) => isErrorNamed(err, 'CorruptFileError') && /not a plain file name/.test(err.message));

  await writeFile(modelJson, original);
  const shard = join(dir, 'weights.bin');
  const bytes = await readFile(shard);
  bytes[10] ^= 0xff;
  await writeFile(shard, bytes);
  await assert.rejects(directoryIOHandler(dir).load!(), (err: Error) => isErrorNamed(err, 'ChecksumMismatchError') && err.message.includes(shard));

  await writeFile(shard, bytes.subarray(0, 20));
  await assert.rejects(directoryIOHandler(dir).load!(), (err: Error) => isErrorNamed(err, 'CorruptFileError') && /20 bytes, model.json says/.test(err.message));

  await writeFile(modelJson, '{"weightsManifest": ');
  await assert.rejects(directoryIOHandler(dir).load!(), (err: Error) => isErrorNamed(err, 'ForeignFormatError') && /not a JSON model file/.test(err.message));

  await assert.rejects(directoryIOHandler(join(dir, 'nope')).load!(), (err: Error) => isErrorNamed(err, 'ArtifactNotFoundError'));
  await rm(dir, { recursive: true });
});
