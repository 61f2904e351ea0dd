// Original file: proto/frcnn/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface CompleteJobRequest {
  'worker_id'?: (string);
  'stage_key'?: (string);
  'fencing_token'?: (number | string | Long);
  'result_json'?: (string);
}

export interface CompleteJobRequest__Output {
  'worker_id': (string);
  'stage_key': (string);
  'fencing_token': (string);
  'result_json': (string);
}
