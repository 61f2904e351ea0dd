// Original file: proto/frcnn/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface FailJobRequest {
  'worker_id'?: (string);
  'stage_key'?: (string);
  'fencing_token'?: (number | string | Long);
  'reason'?: (string);
  'message'?: (string);
  'log_tail'?: (string)[];
}

export interface FailJobRequest__Output {
  'worker_id': (string);
  'stage_key': (string);
  'fencing_token': (string);
  'reason': (string);
  'message': (string);
  'log_tail': (string)[];
}
