// Original file: proto/frcnn/v1/sweep.proto

import type { Progress as _frcnn_v1_Progress, Progress__Output as _frcnn_v1_Progress__Output } from '../../frcnn/v1/Progress.ts';

export interface Stage {
  'key'?: (string);
  'name'?: (string);
  'kind'?: (string);
  'status'?: (string);
  'attempts'?: (number);
  'progress'?: (_frcnn_v1_Progress | null);
  'worker_id'?: (string);
  'error'?: (string);
  'result_json'?: (string);
  'infrastructure_failures'?: (number);
  'job_failures'?: (number);
  'artifact_prefix'?: (string);
}

export interface Stage__Output {
  'key': (string);
  'name': (string);
  'kind': (string);
  'status': (string);
  'attempts': (number);
  'progress': (_frcnn_v1_Progress__Output | null);
  'worker_id': (string);
  'error': (string);
  'result_json': (string);
  'infrastructure_failures': (number);
  'job_failures': (number);
  'artifact_prefix': (string);
}
