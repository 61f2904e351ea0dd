// Original file: proto/frcnn/v1/sweep.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelSweepRequest as _frcnn_v1_CancelSweepRequest, CancelSweepRequest__Output as _frcnn_v1_CancelSweepRequest__Output } from '../../frcnn/v1/CancelSweepRequest.ts';
import type { GetSweepRequest as _frcnn_v1_GetSweepRequest, GetSweepRequest__Output as _frcnn_v1_GetSweepRequest__Output } from '../../frcnn/v1/GetSweepRequest.ts';
import type { ListSweepsRequest as _frcnn_v1_ListSweepsRequest, ListSweepsRequest__Output as _frcnn_v1_ListSweepsRequest__Output } from '../../frcnn/v1/ListSweepsRequest.ts';
import type { ListSweepsResponse as _frcnn_v1_ListSweepsResponse, ListSweepsResponse__Output as _frcnn_v1_ListSweepsResponse__Output } from '../../frcnn/v1/ListSweepsResponse.ts';
import type { SubmitSweepRequest as _frcnn_v1_SubmitSweepRequest, SubmitSweepRequest__Output as _frcnn_v1_SubmitSweepRequest__Output } from '../../frcnn/v1/SubmitSweepRequest.ts';
import type { SubmitSweepResponse as _frcnn_v1_SubmitSweepResponse, SubmitSweepResponse__Output as _frcnn_v1_SubmitSweepResponse__Output } from '../../frcnn/v1/SubmitSweepResponse.ts';
import type { Sweep as _frcnn_v1_Sweep, Sweep__Output as _frcnn_v1_Sweep__Output } from '../../frcnn/v1/Sweep.ts';
import type { SweepDetail as _frcnn_v1_SweepDetail, SweepDetail__Output as _frcnn_v1_SweepDetail__Output } from '../../frcnn/v1/SweepDetail.ts';
import type { SweepEvent as _frcnn_v1_SweepEvent, SweepEvent__Output as _frcnn_v1_SweepEvent__Output } from '../../frcnn/v1/SweepEvent.ts';
import type { WatchSweepRequest as _frcnn_v1_WatchSweepRequest, WatchSweepRequest__Output as _frcnn_v1_WatchSweepRequest__Output } from '../../frcnn/v1/WatchSweepRequest.ts';

export interface SweepServiceClient extends grpc.Client {
  CancelSweep(argument: _frcnn_v1_CancelSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_Sweep__Output>): grpc.ClientUnaryCall;
  CancelSweep(argument: _frcnn_v1_CancelSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_Sweep__Output>): grpc.ClientUnaryCall;
  CancelSweep(argument: _frcnn_v1_CancelSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_Sweep__Output>): grpc.ClientUnaryCall;
  CancelSweep(argument: _frcnn_v1_CancelSweepRequest, callback: grpc.requestCallback<_frcnn_v1_Sweep__Output>): grpc.ClientUnaryCall;
  cancelSweep(argument: _frcnn_v1_CancelSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_Sweep__Output>): grpc.ClientUnaryCall;
  cancelSweep(argument: _frcnn_v1_CancelSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_Sweep__Output>): grpc.ClientUnaryCall;
  cancelSweep(argument: _frcnn_v1_CancelSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_Sweep__Output>): grpc.ClientUnaryCall;
  cancelSweep(argument: _frcnn_v1_CancelSweepRequest, callback: grpc.requestCallback<_frcnn_v1_Sweep__Output>): grpc.ClientUnaryCall;
  
  GetSweep(argument: _frcnn_v1_GetSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_SweepDetail__Output>): grpc.ClientUnaryCall;
  GetSweep(argument: _frcnn_v1_GetSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_SweepDetail__Output>): grpc.ClientUnaryCall;
  GetSweep(argument: _frcnn_v1_GetSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_SweepDetail__Output>): grpc.ClientUnaryCall;
  GetSweep(argument: _frcnn_v1_GetSweepRequest, callback: grpc.requestCallback<_frcnn_v1_SweepDetail__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _frcnn_v1_GetSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_SweepDetail__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _frcnn_v1_GetSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_SweepDetail__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _frcnn_v1_GetSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_SweepDetail__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _frcnn_v1_GetSweepRequest, callback: grpc.requestCallback<_frcnn_v1_SweepDetail__Output>): grpc.ClientUnaryCall;
  
  ListSweeps(argument: _frcnn_v1_ListSweepsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  ListSweeps(argument: _frcnn_v1_ListSweepsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  ListSweeps(argument: _frcnn_v1_ListSweepsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  ListSweeps(argument: _frcnn_v1_ListSweepsRequest, callback: grpc.requestCallback<_frcnn_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _frcnn_v1_ListSweepsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _frcnn_v1_ListSweepsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _frcnn_v1_ListSweepsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _frcnn_v1_ListSweepsRequest, callback: grpc.requestCallback<_frcnn_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  
  SubmitSweep(argument: _frcnn_v1_SubmitSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_SubmitSweepResponse__Output>): grpc.ClientUnaryCall;
  SubmitSweep(argument: _frcnn_v1_SubmitSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_SubmitSweepResponse__Output>): grpc.ClientUnaryCall;
  SubmitSweep(argument: _frcnn_v1_SubmitSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_SubmitSweepResponse__Output>): grpc.ClientUnaryCall;
  SubmitSweep(argument: _frcnn_v1_SubmitSweepRequest, callback: grpc.requestCallback<_frcnn_v1_SubmitSweepResponse__Output>): grpc.ClientUnaryCall;
  submitSweep(argument: _frcnn_v1_SubmitSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_SubmitSweepResponse__Output>): grpc.ClientUnaryCall;
  submitSweep(argument: _frcnn_v1_SubmitSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_frcnn_v1_SubmitSweepResponse__Output>): grpc.ClientUnaryCall;
  submitSweep(argument: _frcnn_v1_SubmitSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_frcnn_v1_SubmitSweepResponse__Output>): grpc.ClientUnaryCall;
  submitSweep(argument: _frcnn_v1_SubmitSweepRequest, callback: grpc.requestCallback<_frcnn_v1_SubmitSweepResponse__Output>): grpc.ClientUnaryCall;
  
  WatchSweep(argument: _frcnn_v1_WatchSweepRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_frcnn_v1_SweepEvent__Output>;
  WatchSweep(argument: _frcnn_v1_WatchSweepRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_frcnn_v1_SweepEvent__Output>;
  watchSweep(argument: _frcnn_v1_WatchSweepRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_frcnn_v1_SweepEvent__Output>;
  watchSweep(argument: _frcnn_v1_WatchSweepRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_frcnn_v1_SweepEvent__Output>;
  
}

export interface SweepServiceHandlers extends grpc.UntypedServiceImplementation {
  CancelSweep: grpc.handleUnaryCall<_frcnn_v1_CancelSweepRequest__Output, _frcnn_v1_Sweep>;
  
  GetSweep: grpc.handleUnaryCall<_frcnn_v1_GetSweepRequest__Output, _frcnn_v1_SweepDetail>;
  
  ListSweeps: grpc.handleUnaryCall<_frcnn_v1_ListSweepsRequest__Output, _frcnn_v1_ListSweepsResponse>;
  
  SubmitSweep: grpc.handleUnaryCall<_frcnn_v1_SubmitSweepRequest__Output, _frcnn_v1_SubmitSweepResponse>;
  
  WatchSweep: grpc.handleServerStreamingCall<_frcnn_v1_WatchSweepRequest__Output, _frcnn_v1_SweepEvent>;
  
}

export interface SweepServiceDefinition extends grpc.ServiceDefinition {
  CancelSweep: MethodDefinition<_frcnn_v1_CancelSweepRequest, _frcnn_v1_Sweep, _frcnn_v1_CancelSweepRequest__Output, _frcnn_v1_Sweep__Output>
  GetSweep: MethodDefinition<_frcnn_v1_GetSweepRequest, _frcnn_v1_SweepDetail, _frcnn_v1_GetSweepRequest__Output, _frcnn_v1_SweepDetail__Output>
  ListSweeps: MethodDefinition<_frcnn_v1_ListSweepsRequest, _frcnn_v1_ListSweepsResponse, _frcnn_v1_ListSweepsRequest__Output, _frcnn_v1_ListSweepsResponse__Output>
  SubmitSweep: MethodDefinition<_frcnn_v1_SubmitSweepRequest, _frcnn_v1_SubmitSweepResponse, _frcnn_v1_SubmitSweepRequest__Output, _frcnn_v1_SubmitSweepResponse__Output>
  WatchSweep: MethodDefinition<_frcnn_v1_WatchSweepRequest, _frcnn_v1_SweepEvent, _frcnn_v1_WatchSweepRequest__Output, _frcnn_v1_SweepEvent__Output>
}
