// Original file: proto/frcnn/v1/worker.proto


export interface InputArtifact {
  'stage_key'?: (string);
  'prefix'?: (string);
  'result_json'?: (string);
}

export interface InputArtifact__Output {
  'stage_key': (string);
  'prefix': (string);
  'result_json': (string);
}
