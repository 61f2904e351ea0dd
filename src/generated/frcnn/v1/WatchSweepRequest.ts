// Original file: proto/frcnn/v1/sweep.proto


export interface WatchSweepRequest {
  'sweep_id'?: (string);
}

export interface WatchSweepRequest__Output {
  'sweep_id': (string);
}
