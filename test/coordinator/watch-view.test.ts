import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchModel } from '../../src/coordinator/cli/watch-view.ts';
import type { SweepEvent__Output } from '../../src/generated/frcnn/v1/SweepEvent.ts';
import type { CoordinatorEvent } from '../../src/coordinator/types.ts';

const ev = (e: Record<string, unknown>): SweepEvent__Output =>
  ({ type: e.type as string, at_ms: '0', trial_id: '', stage_key: '', job_id: '', json: JSON.stringify({ at: 0, sweepIds: ['sw-1'], ...e } as unknown as CoordinatorEvent), snapshot: null }) as SweepEvent__Output;

test('the watch view folds a snapshot and events into a trial table and job bars', () => {
  const m = new WatchModel();
  const line = m.apply({
    type: 'snapshot',
    at_ms: '0',
    trial_id: '',
    stage_key: '',
    job_id: '',
    json: '',
    snapshot: {
      sweep: { id: 'sw-1', name: 'lam', status: 'running' } as never,
      trials: [
        { id: 'sw-1.t0', label: 'rpn.lambda=1', status: 'queued', metrics_json: '', error: '' } as never,
        { id: 'sw-1.t1', label: 'rpn.lambda=10', status: 'queued', metrics_json: '', error: '' } as never,
      ],
      stages: [{ key: 'k0', name: 'joint', status: 'committed' } as never, { key: 'k1', name: 'joint', status: 'pending' } as never],
    },
  });
  assert.equal(line, 'sweep sw-1 "lam": 2 trials, 2 stages (1 done), running');
  assert.match(m.apply(ev({ type: 'job.started', stageKey: 'k1', name: 'joint', kind: 'train_joint', trialIds: ['sw-1.t1'], jobId: 'j', attempt: 1, workerId: 'w1' }))!, /started {2}joint \(train_joint\) on w1/);
  assert.equal(m.apply(ev({ type: 'job.progress', stageKey: 'k1', name: 'joint', kind: 'train_joint', trialIds: [], jobId: 'j', attempt: 1, progress: { done: 12, total: 24, unit: 'it', losses: { loss: 0.25 } } })), undefined);
  const frame = m.render(100);
  assert.ok(frame.some((l) => /^joint\s+█{12}░{12}\s+12\/24 it\s+loss 0\.2500 w1$/.test(l)), frame.join('\n'));
  assert.ok(frame.some((l) => /^rpn\.lambda=10\s+running/.test(l)));
  assert.match(
    m.apply(ev({ type: 'job.failed', stageKey: 'k1', name: 'joint', kind: 'train_joint', trialIds: [], jobId: 'j', attempt: 1, workerId: 'w1', reason: 'nan-loss', failureClass: 'job', message: 'loss is NaN', retryAt: 2000 }))!,
    /failed {3}joint on w1: nan-loss \(job\): loss is NaN; retry in 2s/,
  );
  assert.match(m.apply(ev({ type: 'trial.done', trialId: 'sw-1.t0', sweepId: 'sw-1', status: 'succeeded', metrics: { mAP: 0.6123 } }))!, /trial {4}rpn\.lambda=1 succeeded mAP=0\.6123/);
  assert.match(m.apply(ev({ type: 'sweep.done', sweepId: 'sw-1', status: 'failed', succeeded: 1, failed: 1, cancelled: 0 }))!, /sweep {4}failed: 1 succeeded, 1 failed/);
  assert.equal(m.sweepStatus, 'failed');
});
