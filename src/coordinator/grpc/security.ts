/**
 * Bearer-token auth and TLS for the coordinator's gRPC server and its clients.
 * - Token: when configured (FRCNN_TOKEN or FRCNN_TOKEN_FILE), every RPC must carry
 *   `authorization: Bearer <token>`; compared in constant time.
 * - TLS: FRCNN_TLS_CERT + FRCNN_TLS_KEY turn TLS on; FRCNN_TLS_CA makes the server require
 *   client certificates (mTLS) and clients verify the server with it.
 */
import * as grpc from '@grpc/grpc-js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { env, envSync } from '../../config/env.ts';
import { UsageError } from '../../util/errors.ts';

export interface TlsFiles {
  cert?: string;
  key?: string;
  ca?: string;
}

export interface SecurityOptions {
  token?: string;
  tls?: TlsFiles;
}

/** Token and TLS files from the environment. */
export async function securityFromEnv(): Promise<SecurityOptions> {
  const token = await env('FRCNN_TOKEN');
  const tls: TlsFiles = { cert: envSync('FRCNN_TLS_CERT'), key: envSync('FRCNN_TLS_KEY'), ca: envSync('FRCNN_TLS_CA') };
  return { token: token || undefined, tls: tls.cert || tls.key || tls.ca ? tls : undefined };
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`${what} ${path}: ${(err as Error).message}`);
  }
}

export function serverCredentials(tls?: TlsFiles): grpc.ServerCredentials {
  if (!tls?.cert && !tls?.key) return grpc.ServerCredentials.createInsecure();
  if (!tls.cert || !tls.key) throw new UsageError('TLS needs both FRCNN_TLS_CERT and FRCNN_TLS_KEY');
  const ca = tls.ca ? read(tls.ca, 'FRCNN_TLS_CA') : null;
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: read(tls.cert, 'FRCNN_TLS_CERT'), private_key: read(tls.key, 'FRCNN_TLS_KEY') }], ca !== null);
}

export function channelCredentials(tls?: TlsFiles): grpc.ChannelCredentials {
  if (!tls?.ca) return grpc.credentials.createInsecure();
  const key = tls.key ? read(tls.key, 'FRCNN_TLS_KEY') : null;
  const cert = tls.cert ? read(tls.cert, 'FRCNN_TLS_CERT') : null;
  return grpc.credentials.createSsl(read(tls.ca, 'FRCNN_TLS_CA'), key, cert);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when `metadata` carries the bearer token (or no token is required). */
export function authorized(metadata: grpc.Metadata, token: string | undefined): boolean {
  if (!token) return true;
  const header = metadata.get('authorization')[0];
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  // Hash both sides so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(token));
}

/** Metadata with the bearer token, for clients. */
export function authMetadata(token: string | undefined): grpc.Metadata {
  const m = new grpc.Metadata();
  if (token) m.set('authorization', `Bearer ${token}`);
  return m;
}

type AnyHandler = (call: grpc.ServerUnaryCall<unknown, unknown> & grpc.ServerWritableStream<unknown, unknown>, callback?: grpc.sendUnaryData<unknown>) => void;

/**
 * Wrap every handler of a service implementation with the token check: unauthenticated calls
 * end with UNAUTHENTICATED before the handler runs.
 */
export function withAuth<T extends object>(impl: T, token: string | undefined): T {
  if (!token) return impl;
  const out: Record<string, AnyHandler> = {};
  for (const [name, handler] of Object.entries(impl) as [string, AnyHandler][]) {
    out[name] = (call, callback) => {
      if (authorized(call.metadata, token)) return handler(call, callback);
      const err = { code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong bearer token' };
      if (callback) callback(err);
      else call.emit('error', err);
    };
  }
  return out as T;
}
