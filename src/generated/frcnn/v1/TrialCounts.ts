// Original file: proto/frcnn/v1/sweep.proto


export interface TrialCounts {
  'queued'?: (number);
  'running'?: (number);
  'succeeded'?: (number);
  'failed'?: (number);
  'cancelled'?: (number);
}

export interface TrialCounts__Output {
  'queued': (number);
  'running': (number);
  'succeeded': (number);
  'failed': (number);
  'cancelled': (number);
}
