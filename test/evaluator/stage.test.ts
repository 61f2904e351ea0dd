import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadExecutors } from '../../src/worker/load-executors.ts';

test('the evaluator worker role loads the evaluate stage from src/evaluator/stage.ts', async () => {
  const registry = await loadExecutors('evaluator');
  assert.deepEqual(Object.keys(registry), ['evaluate']);
  assert.equal(registry.evaluate?.kind, 'evaluate');
  assert.equal(registry.evaluate?.resources?.gpu, false);
});
