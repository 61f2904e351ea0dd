// Original file: proto/frcnn/v1/worker.proto

import type { Long } from '@grpc/proto-loader';

export interface Resources {
  'gpus'?: (number);
  'gpu_model'?: (string);
  'gpu_memory_mb'?: (number | string | Long);
  'cpu_cores'?: (number);
  'memory_mb'?: (number | string | Long);
  'cpu_fallback'?: (boolean);
}

export interface Resources__Output {
  'gpus': (number);
  'gpu_model': (string);
  'gpu_memory_mb': (string);
  'cpu_cores': (number);
  'memory_mb': (string);
  'cpu_fallback': (boolean);
}
