/**
 * The gRPC contract loaded at runtime from proto/frcnn/v1/*.proto with the same flags as the
 * generated types in src/generated (proto/generate.sh): one source of truth.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType as SweepProto } from '../../generated/sweep.ts';
import type { ProtoGrpcType as WorkerProto } from '../../generated/worker.ts';

export const PROTO_DIR = fileURLToPath(new URL('../../../proto', import.meta.url));

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

export type FrcnnProto = SweepProto & WorkerProto;

let cached: FrcnnProto | undefined;

export function loadProto(): FrcnnProto {
  if (!cached) {
    const def = protoLoader.loadSync(['frcnn/v1/sweep.proto', 'frcnn/v1/worker.proto'], LOADER_OPTIONS);
    cached = grpc.loadPackageDefinition(def) as unknown as FrcnnProto;
  }
  return cached;
}

/** Largest request the coordinator accepts (a sweep spec is at most 1 MiB). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
