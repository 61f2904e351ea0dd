// Original file: proto/frcnn/v1/sweep.proto

import type { Sweep as _frcnn_v1_Sweep, Sweep__Output as _frcnn_v1_Sweep__Output } from '../../frcnn/v1/Sweep.ts';

export interface SubmitSweepResponse {
  'sweep'?: (_frcnn_v1_Sweep | null);
  'created'?: (boolean);
}

export interface SubmitSweepResponse__Output {
  'sweep': (_frcnn_v1_Sweep__Output | null);
  'created': (boolean);
}
