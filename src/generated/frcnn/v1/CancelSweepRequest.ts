// Original file: proto/frcnn/v1/sweep.proto


export interface CancelSweepRequest {
  'sweep_id'?: (string);
  'reason'?: (string);
}

export interface CancelSweepRequest__Output {
  'sweep_id': (string);
  'reason': (string);
}
