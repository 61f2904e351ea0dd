// Original file: proto/frcnn/v1/worker.proto

import type { Job as _frcnn_v1_Job, Job__Output as _frcnn_v1_Job__Output } from '../../frcnn/v1/Job.ts';

export interface LeaseJobResponse {
  'job'?: (_frcnn_v1_Job | null);
}

export interface LeaseJobResponse__Output {
  'job': (_frcnn_v1_Job__Output | null);
}
