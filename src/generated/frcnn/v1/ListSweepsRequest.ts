// Original file: proto/frcnn/v1/sweep.proto


export interface ListSweepsRequest {
  'limit'?: (number);
  'status'?: (string);
}

export interface ListSweepsRequest__Output {
  'limit': (number);
  'status': (string);
}
