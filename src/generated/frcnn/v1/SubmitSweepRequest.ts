// Original file: proto/frcnn/v1/sweep.proto


export interface SubmitSweepRequest {
  'spec'?: (string);
  'source_name'?: (string);
  'idempotency_key'?: (string);
}

export interface SubmitSweepRequest__Output {
  'spec': (string);
  'source_name': (string);
  'idempotency_key': (string);
}
