// Original file: proto/frcnn/v1/worker.proto

import type { Progress as _frcnn_v1_Progress, Progress__Output as _frcnn_v1_Progress__Output } from '../../frcnn/v1/Progress.ts';
import type { Long } from '@grpc/proto-loader';

export interface HeartbeatRequest {
  'worker_id'?: (string);
  'stage_key'?: (string);
  'fencing_token'?: (number | string | Long);
  'progress'?: (_frcnn_v1_Progress | null);
  'checkpoint'?: (string);
}

export interface HeartbeatRequest__Output {
  'worker_id': (string);
  'stage_key': (string);
  'fencing_token': (string);
  'progress': (_frcnn_v1_Progress__Output | null);
  'checkpoint': (string);
}
