// Original file: proto/frcnn/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface FailJobResponse {
  'will_retry'?: (boolean);
  'retry_at_ms'?: (number | string | Long);
}

export interface FailJobResponse__Output {
  'will_retry': (boolean);
  'retry_at_ms': (string);
}
