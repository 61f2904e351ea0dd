import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CompleteJobRequest as _frcnn_v1_CompleteJobRequest, CompleteJobRequest__Output as _frcnn_v1_CompleteJobRequest__Output } from './frcnn/v1/CompleteJobRequest.ts';
import type { CompleteJobResponse as _frcnn_v1_CompleteJobResponse, CompleteJobResponse__Output as _frcnn_v1_CompleteJobResponse__Output } from './frcnn/v1/CompleteJobResponse.ts';
import type { FailJobRequest as _frcnn_v1_FailJobRequest, FailJobRequest__Output as _frcnn_v1_FailJobRequest__Output } from './frcnn/v1/FailJobRequest.ts';
import type { FailJobResponse as _frcnn_v1_FailJobResponse, FailJobResponse__Output as _frcnn_v1_FailJobResponse__Output } from './frcnn/v1/FailJobResponse.ts';
import type { HeartbeatRequest as _frcnn_v1_HeartbeatRequest, HeartbeatRequest__Output as _frcnn_v1_HeartbeatRequest__Output } from './frcnn/v1/HeartbeatRequest.ts';
import type { HeartbeatResponse as _frcnn_v1_HeartbeatResponse, HeartbeatResponse__Output as _frcnn_v1_HeartbeatResponse__Output } from './frcnn/v1/HeartbeatResponse.ts';
import type { InputArtifact as _frcnn_v1_InputArtifact, InputArtifact__Output as _frcnn_v1_InputArtifact__Output } from './frcnn/v1/InputArtifact.ts';
import type { Job as _frcnn_v1_Job, Job__Output as _frcnn_v1_Job__Output } from './frcnn/v1/Job.ts';
import type { LeaseJobRequest as _frcnn_v1_LeaseJobRequest, LeaseJobRequest__Output as _frcnn_v1_LeaseJobRequest__Output } from './frcnn/v1/LeaseJobRequest.ts';
import type { LeaseJobResponse as _frcnn_v1_LeaseJobResponse, LeaseJobResponse__Output as _frcnn_v1_LeaseJobResponse__Output } from './frcnn/v1/LeaseJobResponse.ts';
import type { Progress as _frcnn_v1_Progress, Progress__Output as _frcnn_v1_Progress__Output } from './frcnn/v1/Progress.ts';
import type { RegisterWorkerRequest as _frcnn_v1_RegisterWorkerRequest, RegisterWorkerRequest__Output as _frcnn_v1_RegisterWorkerRequest__Output } from './frcnn/v1/RegisterWorkerRequest.ts';
import type { RegisterWorkerResponse as _frcnn_v1_RegisterWorkerResponse, RegisterWorkerResponse__Output as _frcnn_v1_RegisterWorkerResponse__Output } from './frcnn/v1/RegisterWorkerResponse.ts';
import type { ReleaseJobRequest as _frcnn_v1_ReleaseJobRequest, ReleaseJobRequest__Output as _frcnn_v1_ReleaseJobRequest__Output } from './frcnn/v1/ReleaseJobRequest.ts';
import type { ReleaseJobResponse as _frcnn_v1_ReleaseJobResponse, ReleaseJobResponse__Output as _frcnn_v1_ReleaseJobResponse__Output } from './frcnn/v1/ReleaseJobResponse.ts';
import type { Resources as _frcnn_v1_Resources, Resources__Output as _frcnn_v1_Resources__Output } from './frcnn/v1/Resources.ts';
import type { WorkerServiceClient as _frcnn_v1_WorkerServiceClient, WorkerServiceDefinition as _frcnn_v1_WorkerServiceDefinition } from './frcnn/v1/WorkerService.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  frcnn: {
    v1: {
      CompleteJobRequest: MessageTypeDefinition<_frcnn_v1_CompleteJobRequest, _frcnn_v1_CompleteJobRequest__Output>
      CompleteJobResponse: MessageTypeDefinition<_frcnn_v1_CompleteJobResponse, _frcnn_v1_CompleteJobResponse__Output>
      FailJobRequest: MessageTypeDefinition<_frcnn_v1_FailJobRequest, _frcnn_v1_FailJobRequest__Output>
      FailJobResponse: MessageTypeDefinition<_frcnn_v1_FailJobResponse, _frcnn_v1_FailJobResponse__Output>
      HeartbeatRequest: MessageTypeDefinition<_frcnn_v1_HeartbeatRequest, _frcnn_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_frcnn_v1_HeartbeatResponse, _frcnn_v1_HeartbeatResponse__Output>
      InputArtifact: MessageTypeDefinition<_frcnn_v1_InputArtifact, _frcnn_v1_InputArtifact__Output>
      Job: MessageTypeDefinition<_frcnn_v1_Job, _frcnn_v1_Job__Output>
      LeaseJobRequest: MessageTypeDefinition<_frcnn_v1_LeaseJobRequest, _frcnn_v1_LeaseJobRequest__Output>
      LeaseJobResponse: MessageTypeDefinition<_frcnn_v1_LeaseJobResponse, _frcnn_v1_LeaseJobResponse__Output>
      Progress: MessageTypeDefinition<_frcnn_v1_Progress, _frcnn_v1_Progress__Output>
      RegisterWorkerRequest: MessageTypeDefinition<_frcnn_v1_RegisterWorkerRequest, _frcnn_v1_RegisterWorkerRequest__Output>
      RegisterWorkerResponse: MessageTypeDefinition<_frcnn_v1_RegisterWorkerResponse, _frcnn_v1_RegisterWorkerResponse__Output>
      ReleaseJobRequest: MessageTypeDefinition<_frcnn_v1_ReleaseJobRequest, _frcnn_v1_ReleaseJobRequest__Output>
      ReleaseJobResponse: MessageTypeDefinition<_frcnn_v1_ReleaseJobResponse, _frcnn_v1_ReleaseJobResponse__Output>
      Resources: MessageTypeDefinition<_frcnn_v1_Resources, _frcnn_v1_Resources__Output>
      WorkerService: SubtypeConstructor<typeof grpc.Client, _frcnn_v1_WorkerServiceClient> & { service: _frcnn_v1_WorkerServiceDefinition }
    }
  }
}

