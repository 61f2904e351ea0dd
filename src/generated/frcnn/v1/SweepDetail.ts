// Original file: proto/frcnn/v1/sweep.proto

import type { Sweep as _frcnn_v1_Sweep, Sweep__Output as _frcnn_v1_Sweep__Output } from '../../frcnn/v1/Sweep.ts';
import type { Trial as _frcnn_v1_Trial, Trial__Output as _frcnn_v1_Trial__Output } from '../../frcnn/v1/Trial.ts';
import type { Stage as _frcnn_v1_Stage, Stage__Output as _frcnn_v1_Stage__Output } from '../../frcnn/v1/Stage.ts';

export interface SweepDetail {
  'sweep'?: (_frcnn_v1_Sweep | null);
  'trials'?: (_frcnn_v1_Trial)[];
  'stages'?: (_frcnn_v1_Stage)[];
}

export interface SweepDetail__Output {
  'sweep': (_frcnn_v1_Sweep__Output | null);
  'trials': (_frcnn_v1_Trial__Output)[];
  'stages': (_frcnn_v1_Stage__Output)[];
}
