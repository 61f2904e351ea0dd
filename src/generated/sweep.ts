import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CancelSweepRequest as _frcnn_v1_CancelSweepRequest, CancelSweepRequest__Output as _frcnn_v1_CancelSweepRequest__Output } from './frcnn/v1/CancelSweepRequest.ts';
import type { GetSweepRequest as _frcnn_v1_GetSweepRequest, GetSweepRequest__Output as _frcnn_v1_GetSweepRequest__Output } from './frcnn/v1/GetSweepRequest.ts';
import type { ListSweepsRequest as _frcnn_v1_ListSweepsRequest, ListSweepsRequest__Output as _frcnn_v1_ListSweepsRequest__Output } from './frcnn/v1/ListSweepsRequest.ts';
import type { ListSweepsResponse as _frcnn_v1_ListSweepsResponse, ListSweepsResponse__Output as _frcnn_v1_ListSweepsResponse__Output } from './frcnn/v1/ListSweepsResponse.ts';
import type { Progress as _frcnn_v1_Progress, Progress__Output as _frcnn_v1_Progress__Output } from './frcnn/v1/Progress.ts';
import type { Stage as _frcnn_v1_Stage, Stage__Output as _frcnn_v1_Stage__Output } from './frcnn/v1/Stage.ts';
import type { StageRef as _frcnn_v1_StageRef, StageRef__Output as _frcnn_v1_StageRef__Output } from './frcnn/v1/StageRef.ts';
import type { SubmitSweepRequest as _frcnn_v1_SubmitSweepRequest, SubmitSweepRequest__Output as _frcnn_v1_SubmitSweepRequest__Output } from './frcnn/v1/SubmitSweepRequest.ts';
import type { SubmitSweepResponse as _frcnn_v1_SubmitSweepResponse, SubmitSweepResponse__Output as _frcnn_v1_SubmitSweepResponse__Output } from './frcnn/v1/SubmitSweepResponse.ts';
import type { Sweep as _frcnn_v1_Sweep, Sweep__Output as _frcnn_v1_Sweep__Output } from './frcnn/v1/Sweep.ts';
import type { SweepDetail as _frcnn_v1_SweepDetail, SweepDetail__Output as _frcnn_v1_SweepDetail__Output } from './frcnn/v1/SweepDetail.ts';
import type { SweepEvent as _frcnn_v1_SweepEvent, SweepEvent__Output as _frcnn_v1_SweepEvent__Output } from './frcnn/v1/SweepEvent.ts';
import type { SweepServiceClient as _frcnn_v1_SweepServiceClient, SweepServiceDefinition as _frcnn_v1_SweepServiceDefinition } from './frcnn/v1/SweepService.ts';
import type { Trial as _frcnn_v1_Trial, Trial__Output as _frcnn_v1_Trial__Output } from './frcnn/v1/Trial.ts';
import type { TrialCounts as _frcnn_v1_TrialCounts, TrialCounts__Output as _frcnn_v1_TrialCounts__Output } from './frcnn/v1/TrialCounts.ts';
import type { WatchSweepRequest as _frcnn_v1_WatchSweepRequest, WatchSweepRequest__Output as _frcnn_v1_WatchSweepRequest__Output } from './frcnn/v1/WatchSweepRequest.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  frcnn: {
    v1: {
      CancelSweepRequest: MessageTypeDefinition<_frcnn_v1_CancelSweepRequest, _frcnn_v1_CancelSweepRequest__Output>
      GetSweepRequest: MessageTypeDefinition<_frcnn_v1_GetSweepRequest, _frcnn_v1_GetSweepRequest__Output>
      ListSweepsRequest: MessageTypeDefinition<_frcnn_v1_ListSweepsRequest, _frcnn_v1_ListSweepsRequest__Output>
      ListSweepsResponse: MessageTypeDefinition<_frcnn_v1_ListSweepsResponse, _frcnn_v1_ListSweepsResponse__Output>
      Progress: MessageTypeDefinition<_frcnn_v1_Progress, _frcnn_v1_Progress__Output>
      Stage: MessageTypeDefinition<_frcnn_v1_Stage, _frcnn_v1_Stage__Output>
      StageRef: MessageTypeDefinition<_frcnn_v1_StageRef, _frcnn_v1_StageRef__Output>
      SubmitSweepRequest: MessageTypeDefinition<_frcnn_v1_SubmitSweepRequest, _frcnn_v1_SubmitSweepRequest__Output>
      SubmitSweepResponse: MessageTypeDefinition<_frcnn_v1_SubmitSweepResponse, _frcnn_v1_SubmitSweepResponse__Output>
      Sweep: MessageTypeDefinition<_frcnn_v1_Sweep, _frcnn_v1_Sweep__Output>
      SweepDetail: MessageTypeDefinition<_frcnn_v1_SweepDetail, _frcnn_v1_SweepDetail__Output>
      SweepEvent: MessageTypeDefinition<_frcnn_v1_SweepEvent, _frcnn_v1_SweepEvent__Output>
      SweepService: SubtypeConstructor<typeof grpc.Client, _frcnn_v1_SweepServiceClient> & { service: _frcnn_v1_SweepServiceDefinition }
      Trial: MessageTypeDefinition<_frcnn_v1_Trial, _frcnn_v1_Trial__Output>
      TrialCounts: MessageTypeDefinition<_frcnn_v1_TrialCounts, _frcnn_v1_TrialCounts__Output>
      WatchSweepRequest: MessageTypeDefinition<_frcnn_v1_WatchSweepRequest, _frcnn_v1_WatchSweepRequest__Output>
    }
  }
}

