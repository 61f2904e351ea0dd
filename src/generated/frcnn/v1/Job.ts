// Original file: proto/frcnn/v1/worker.proto

import type { InputArtifact as _frcnn_v1_InputArtifact, InputArtifact__Output as _frcnn_v1_InputArtifact__Output } from '../../frcnn/v1/InputArtifact.ts';
import type { Long } from '@grpc/proto-loader';

export interface Job {
  'job_id'?: (string);
  'stage_key'?: (string);
  'fencing_token'?: (number | string | Long);
  'attempt_id'?: (string);
  'artifact_prefix'?: (string);
  'stage_prefix'?: (string);
  'kind'?: (string);
  'name'?: (string);
  'spec_json'?: (string);
  'config_json'?: (string);
  'inputs'?: ({[key: string]: _frcnn_v1_InputArtifact});
  'resume_from'?: (string);
  'checkpoint_every'?: (number | string | Long);
  'lease_deadline_ms'?: (number | string | Long);
  'trial_ids'?: (string)[];
  'sweep_ids'?: (string)[];
}

export interface Job__Output {
  'job_id': (string);
  'stage_key': (string);
  'fencing_token': (string);
  'attempt_id': (string);
  'artifact_prefix': (string);
  'stage_prefix': (string);
  'kind': (string);
  'name': (string);
  'spec_json': (string);
  'config_json': (string);
  'inputs': ({[key: string]: _frcnn_v1_InputArtifact__Output});
  'resume_from': (string);
  'checkpoint_every': (string);
  'lease_deadline_ms': (string);
  'trial_ids': (string)[];
  'sweep_ids': (string)[];
}
