// Original file: proto/frcnn/v1/sweep.proto

import type { StageRef as _frcnn_v1_StageRef, StageRef__Output as _frcnn_v1_StageRef__Output } from '../../frcnn/v1/StageRef.ts';
import type { Long } from '@grpc/proto-loader';

export interface Trial {
  'id'?: (string);
  'index'?: (number);
  'label'?: (string);
  'seed'?: (number);
  'repeat'?: (number);
  'status'?: (string);
  'metrics_json'?: (string);
  'error'?: (string);
  'stages'?: (_frcnn_v1_StageRef)[];
  'started_at_ms'?: (number | string | Long);
  'ended_at_ms'?: (number | string | Long);
  'config_json'?: (string);
}

export interface Trial__Output {
  'id': (string);
  'index': (number);
  'label': (string);
  'seed': (number);
  'repeat': (number);
  'status': (string);
  'metrics_json': (string);
  'error': (string);
  'stages': (_frcnn_v1_StageRef__Output)[];
  'started_at_ms': (string);
  'ended_at_ms': (string);
  'config_json': (string);
}
