// Original file: proto/frcnn/v1/worker.proto

import type { Resources as _frcnn_v1_Resources, Resources__Output as _frcnn_v1_Resources__Output } from '../../frcnn/v1/Resources.ts';

export interface RegisterWorkerRequest {
  'worker_id'?: (string);
  'resources'?: (_frcnn_v1_Resources | null);
  'kinds'?: (string)[];
  'labels'?: ({[key: string]: string});
}

export interface RegisterWorkerRequest__Output {
  'worker_id': (string);
  'resources': (_frcnn_v1_Resources__Output | null);
  'kinds': (string)[];
  'labels': ({[key: string]: string});
}
