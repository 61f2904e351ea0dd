// Original file: proto/frcnn/v1/sweep.proto

import type { TrialCounts as _frcnn_v1_TrialCounts, TrialCounts__Output as _frcnn_v1_TrialCounts__Output } from '../../frcnn/v1/TrialCounts.ts';
import type { Long } from '@grpc/proto-loader';

export interface Sweep {
  'id'?: (string);
  'name'?: (string);
  'description'?: (string);
  'status'?: (string);
  'submitted_at_ms'?: (number | string | Long);
  'ended_at_ms'?: (number | string | Long);
  'message'?: (string);
  'counts'?: (_frcnn_v1_TrialCounts | null);
  'trials'?: (number);
  'stages'?: (number);
  'stages_committed'?: (number);
  'stages_running'?: (number);
  'idempotency_key'?: (string);
}

export interface Sweep__Output {
  'id': (string);
  'name': (string);
  'description': (string);
  'status': (string);
  'submitted_at_ms': (string);
  'ended_at_ms': (string);
  'message': (string);
  'counts': (_frcnn_v1_TrialCounts__Output | null);
  'trials': (number);
  'stages': (number);
  'stages_committed': (number);
  'stages_running': (number);
  'idempotency_key': (string);
}
