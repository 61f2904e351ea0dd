// Original file: proto/frcnn/v1/sweep.proto

import type { Sweep as _frcnn_v1_Sweep, Sweep__Output as _frcnn_v1_Sweep__Output } from '../../frcnn/v1/Sweep.ts';

export interface ListSweepsResponse {
  'sweeps'?: (_frcnn_v1_Sweep)[];
}

export interface ListSweepsResponse__Output {
  'sweeps': (_frcnn_v1_Sweep__Output)[];
}
