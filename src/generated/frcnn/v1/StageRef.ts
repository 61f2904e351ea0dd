// Original file: proto/frcnn/v1/sweep.proto


export interface StageRef {
  'key'?: (string);
  'name'?: (string);
}

export interface StageRef__Output {
  'key': (string);
  'name': (string);
}
