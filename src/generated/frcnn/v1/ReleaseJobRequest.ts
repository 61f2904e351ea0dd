// Original file: proto/frcnn/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface ReleaseJobRequest {
  'worker_id'?: (string);
  'stage_key'?: (string);
  'fencing_token'?: (number | string | Long);
  'checkpoint'?: (string);
}

export interface ReleaseJobRequest__Output {
  'worker_id': (string);
  'stage_key': (string);
  'fencing_token': (string);
  'checkpoint': (string);
}
