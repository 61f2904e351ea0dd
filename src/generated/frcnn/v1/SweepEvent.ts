// Original file: proto/frcnn/v1/sweep.proto

import type { SweepDetail as _frcnn_v1_SweepDetail, SweepDetail__Output as _frcnn_v1_SweepDetail__Output } from '../../frcnn/v1/SweepDetail.ts';
import type { Long } from '@grpc/proto-loader';

export interface SweepEvent {
  'type'?: (string);
  'at_ms'?: (number | string | Long);
  'trial_id'?: (string);
  'stage_key'?: (string);
  'job_id'?: (string);
  'json'?: (string);
  'snapshot'?: (_frcnn_v1_SweepDetail | null);
}

export interface SweepEvent__Output {
  'type': (string);
  'at_ms': (string);
  'trial_id': (string);
  'stage_key': (string);
  'job_id': (string);
  'json': (string);
  'snapshot': (_frcnn_v1_SweepDetail__Output | null);
}
