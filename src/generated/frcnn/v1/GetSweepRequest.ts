// Original file: proto/frcnn/v1/sweep.proto


export interface GetSweepRequest {
  'sweep_id'?: (string);
}

export interface GetSweepRequest__Output {
  'sweep_id': (string);
}
