// Original file: proto/frcnn/v1/worker.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CompleteJobRequest as _frcnn_v1_CompleteJobRequest, CompleteJobRequest__Output as _frcnn_v1_CompleteJobRequest__Output } from '../../frcnn/v1/CompleteJobRequest.ts';
import type { CompleteJobResponse as _frcnn_v1_CompleteJobResponse, CompleteJobResponse__Output as _frcnn_v1_CompleteJobResponse__Output } from '../../frcnn/v1/CompleteJobResponse.ts';
import type { FailJobRequest as _frcnn_v1_FailJobRequest, FailJobRequest__Output as _frcnn_v1_FailJobRequest__Output } from '../../frcnn/v1/FailJobRequest.ts';
import type { FailJobResponse as _frcnn_v1_FailJobResponse, FailJobResponse__Output as _frcnn_v1_FailJobResponse__Output } from '../../frcnn/v1/FailJobResponse.ts';
import type { HeartbeatRequest as _frcnn_v1_HeartbeatRequest, HeartbeatRequest__Output as _frcnn_v1_HeartbeatRequest__Output } from '../../frcnn/v1/HeartbeatRequest.ts';
import type { HeartbeatResponse as _frcnn_v1_HeartbeatResponse, HeartbeatResponse__Output as _frcnn_v1_HeartbeatResponse__Output } from '../../frcnn/v1/HeartbeatResponse.ts';
import type { LeaseJobRequest as _frcnn_v1_LeaseJobRequest, LeaseJobRequest__Output as _frcnn_v1_LeaseJobRequest__Output } from '../../frcnn/v1/LeaseJobRequest.ts';
import type { LeaseJobResponse as _frcnn_v1_LeaseJobResponse, LeaseJobResponse__Output as _frcnn_v1_LeaseJobResponse__Output } from '../../frcnn/v1/LeaseJobResponse.ts';
import type { RegisterWorkerRequest as _frcnn_v1_RegisterWorkerRequest, RegisterWorkerRequest__Output as _frcnn_v1_RegisterWorkerRequest__Output } from '../../frcnn/v1/RegisterWorkerRequest.ts';
import type { RegisterWorkerResponse as _frcnn_v1_RegisterWorkerResponse, RegisterWorkerResponse__Output as _frcnn_v1_RegisterWorkerResponse__Output } from '../../frcnn/v1/RegisterWorkerResponse.ts';
import type { ReleaseJobRequest as _frcnn_v1_ReleaseJobRequest, ReleaseJobRequest__Output as _frcnn_v1_ReleaseJobRequest__Output } from '../../frcnn/v1/ReleaseJobRequest.ts';
import type { ReleaseJobResponse as _frcnn_v1_ReleaseJobResponse, ReleaseJobResponse__Output as _frcnn_v1_ReleaseJobResponse__Output } from '../../frcnn/v1/ReleaseJobResponse.ts';

export interface WorkerServiceClient extends grpc.Client {
  CompleteJob(argument: _frcnn_v1_CompleteJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_CompleteJobResponse__Output>): grpc.ClientUnaryCall;
  CompleteJob(argument: _frcnn_v1_CompleteJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_CompleteJobResponse__Output>): grpc.ClientUnaryCall;
  CompleteJob(argument: _frcnn_v1_CompleteJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_CompleteJobResponse__Output>): grpc.ClientUnaryCall;
  CompleteJob(argument: _frcnn_v1_CompleteJobRequest, callback: grpc.requestCallback<_frcnn_v1_CompleteJobResponse__Output>): grpc.ClientUnaryCall;
  completeJob(argument: _frcnn_v1_CompleteJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_CompleteJobResponse__Output>): grpc.ClientUnaryCall;
  completeJob(argument: _frcnn_v1_CompleteJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_CompleteJobResponse__Output>): grpc.ClientUnaryCall;
  completeJob(argument: _frcnn_v1_CompleteJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_CompleteJobResponse__Output>): grpc.ClientUnaryCall;
  completeJob(argument: _frcnn_v1_CompleteJobRequest, callback: grpc.requestCallback<_frcnn_v1_CompleteJobResponse__Output>): grpc.ClientUnaryCall;
  
  FailJob(argument: _frcnn_v1_FailJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_FailJobResponse__Output>): grpc.ClientUnaryCall;
  FailJob(argument: _frcnn_v1_FailJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_FailJobResponse__Output>): grpc.ClientUnaryCall;
  FailJob(argument: _frcnn_v1_FailJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_FailJobResponse__Output>): grpc.ClientUnaryCall;
  FailJob(argument: _frcnn_v1_FailJobRequest, callback: grpc.requestCallback<_frcnn_v1_FailJobResponse__Output>): grpc.ClientUnaryCall;
  failJob(argument: _frcnn_v1_FailJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_FailJobResponse__Output>): grpc.ClientUnaryCall;
  failJob(argument: _frcnn_v1_FailJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_FailJobResponse__Output>): grpc.ClientUnaryCall;
  failJob(argument: _frcnn_v1_FailJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_FailJobResponse__Output>): grpc.ClientUnaryCall;
  failJob(argument: _frcnn_v1_FailJobRequest, callback: grpc.requestCallback<_frcnn_v1_FailJobResponse__Output>): grpc.ClientUnaryCall;
  
  Heartbeat(argument: _frcnn_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _frcnn_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _frcnn_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _frcnn_v1_HeartbeatRequest, callback: grpc.requestCallback<_frcnn_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _frcnn_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _frcnn_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _frcnn_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _frcnn_v1_HeartbeatRequest, callback: grpc.requestCallback<_frcnn_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  LeaseJob(argument: _frcnn_v1_LeaseJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_LeaseJobResponse__Output>): grpc.ClientUnaryCall;
  LeaseJob(argument: _frcnn_v1_LeaseJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_LeaseJobResponse__Output>): grpc.ClientUnaryCall;
  LeaseJob(argument: _frcnn_v1_LeaseJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_LeaseJobResponse__Output>): grpc.ClientUnaryCall;
  LeaseJob(argument: _frcnn_v1_LeaseJobRequest, callback: grpc.requestCallback<_frcnn_v1_LeaseJobResponse__Output>): grpc.ClientUnaryCall;
  leaseJob(argument: _frcnn_v1_LeaseJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_LeaseJobResponse__Output>): grpc.ClientUnaryCall;
  leaseJob(argument: _frcnn_v1_LeaseJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_LeaseJobResponse__Output>): grpc.ClientUnaryCall;
  leaseJob(argument: _frcnn_v1_LeaseJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_LeaseJobResponse__Output>): grpc.ClientUnaryCall;
  leaseJob(argument: _frcnn_v1_LeaseJobRequest, callback: grpc.requestCallback<_frcnn_v1_LeaseJobResponse__Output>): grpc.ClientUnaryCall;
  
  RegisterWorker(argument: _frcnn_v1_RegisterWorkerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  RegisterWorker(argument: _frcnn_v1_RegisterWorkerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  RegisterWorker(argument: _frcnn_v1_RegisterWorkerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  RegisterWorker(argument: _frcnn_v1_RegisterWorkerRequest, callback: grpc.requestCallback<_frcnn_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  registerWorker(argument: _frcnn_v1_RegisterWorkerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  registerWorker(argument: _frcnn_v1_RegisterWorkerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  registerWorker(argument: _frcnn_v1_RegisterWorkerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  registerWorker(argument: _frcnn_v1_RegisterWorkerRequest, callback: grpc.requestCallback<_frcnn_v1_RegisterWorkerResponse__Output>): grpc.ClientUnaryCall;
  
  ReleaseJob(argument: _frcnn_v1_ReleaseJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_ReleaseJobResponse__Output>): grpc.ClientUnaryCall;
  ReleaseJob(argument: _frcnn_v1_ReleaseJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_ReleaseJobResponse__Output>): grpc.ClientUnaryCall;
  ReleaseJob(argument: _frcnn_v1_ReleaseJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_ReleaseJobResponse__Output>): grpc.ClientUnaryCall;
  ReleaseJob(argument: _frcnn_v1_ReleaseJobRequest, callback: grpc.requestCallback<_frcnn_v1_ReleaseJobResponse__Output>): grpc.ClientUnaryCall;
  releaseJob(argument: _frcnn_v1_ReleaseJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_ReleaseJobResponse__Output>): grpc.ClientUnaryCall;
  releaseJob(argument: _frcnn_v1_ReleaseJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_ReleaseJobResponse__Output>): grpc.ClientUnaryCall;
  releaseJob(argument: _frcnn_v1_ReleaseJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_ReleaseJobResponse__Output>): grpc.ClientUnaryCall;
  releaseJob(argument: _frcnn_v1_ReleaseJobRequest, callback: grpc.requestCallback<_frcnn_v1_ReleaseJobResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface WorkerServiceHandlers extends grpc.UntypedServiceImplementation {
  CompleteJob: grpc.handleUnaryCall<_frcnn_v1_CompleteJobRequest__Output, _frcnn_v1_CompleteJobResponse>;
  
  FailJob: grpc.handleUnaryCall<_frcnn_v1_FailJobRequest__Output, _frcnn_v1_FailJobResponse>;
  
  Heartbeat: grpc.handleUnaryCall<_frcnn_v1_HeartbeatRequest__Output, _frcnn_v1_HeartbeatResponse>;
  
  LeaseJob: grpc.handleUnaryCall<_frcnn_v1_LeaseJobRequest__Output, _frcnn_v1_LeaseJobResponse>;
  
  RegisterWorker: grpc.handleUnaryCall<_frcnn_v1_RegisterWorkerRequest__Output, _frcnn_v1_RegisterWorkerResponse>;
  
  ReleaseJob: grpc.handleUnaryCall<_frcnn_v1_ReleaseJobRequest__Output, _frcnn_v1_ReleaseJobResponse>;
  
}

export interface WorkerServiceDefinition extends grpc.ServiceDefinition {
  CompleteJob: MethodDefinition<_frcnn_v1_CompleteJobRequest, _frcnn_v1_CompleteJobResponse, _frcnn_v1_CompleteJobRequest__Output, _frcnn_v1_CompleteJobResponse__Output>
  FailJob: MethodDefinition<_frcnn_v1_FailJobRequest, _frcnn_v1_FailJobResponse, _frcnn_v1_FailJobRequest__Output, _frcnn_v1_FailJobResponse__Output>
  Heartbeat: MethodDefinition<_frcnn_v1_HeartbeatRequest, _frcnn_v1_HeartbeatResponse, _frcnn_v1_HeartbeatRequest__Output, _frcnn_v1_HeartbeatResponse__Output>
  LeaseJob: MethodDefinition<_frcnn_v1_LeaseJobRequest, _frcnn_v1_LeaseJobResponse, _frcnn_v1_LeaseJobRequest__Output, _frcnn_v1_LeaseJobResponse__Output>
  RegisterWorker: MethodDefinition<_frcnn_v1_RegisterWorkerRequest, _frcnn_v1_RegisterWorkerResponse, _frcnn_v1_RegisterWorkerRequest__Output, _frcnn_v1_RegisterWorkerResponse__Output>
  ReleaseJob: MethodDefinition<_frcnn_v1_ReleaseJobRequest, _frcnn_v1_ReleaseJobResponse, _frcnn_v1_ReleaseJobRequest__Output, _frcnn_v1_ReleaseJobResponse__Output>
}
