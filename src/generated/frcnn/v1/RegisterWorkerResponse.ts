// Original file: proto/frcnn/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface RegisterWorkerResponse {
  'worker_id'?: (string);
  'lease_ttl_ms'?: (number | string | Long);
  'heartbeat_interval_ms'?: (number | string | Long);
}

export interface RegisterWorkerResponse__Output {
  'worker_id': (string);
  'lease_ttl_ms': (string);
  'heartbeat_interval_ms': (string);
}
