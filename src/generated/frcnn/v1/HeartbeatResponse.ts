// Original file: proto/frcnn/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  'lease_deadline_ms'?: (number | string | Long);
}

export interface HeartbeatResponse__Output {
  'lease_deadline_ms': (string);
}
