// Original file: proto/frcnn/v1/worker.proto


export interface CompleteJobResponse {
  'duplicate'?: (boolean);
}

export interface CompleteJobResponse__Output {
  'duplicate': (boolean);
}
