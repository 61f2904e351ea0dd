// Original file: proto/frcnn/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface LeaseJobRequest {
  'worker_id'?: (string);
  'wait_ms'?: (number | string | Long);
}

export interface LeaseJobRequest__Output {
  'worker_id': (string);
  'wait_ms': (string);
}
