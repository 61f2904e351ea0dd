/** A coordinator client from CLI flags and the environment (address, token, TLS). */
import { envSync } from '../../config/env.ts';
import type { CoordinatorClient } from '../grpc/client.ts';

export interface ConnectFlags {
  coordinator?: string;
}

export const COORDINATOR_HELP = 'coordinator host:port (default: FRCNN_COORDINATOR, else 127.0.0.1:50051); token from FRCNN_TOKEN, TLS from FRCNN_TLS_*';

export async function connectCoordinator(flags: ConnectFlags): Promise<CoordinatorClient> {
  const { CoordinatorClient } = await import('../grpc/client.ts');
  const { securityFromEnv } = await import('../grpc/security.ts');
  return new CoordinatorClient({ address: flags.coordinator ?? envSync('FRCNN_COORDINATOR')!, ...(await securityFromEnv()) });
}

/** A gRPC error as a one-line message for the terminal. */
export function grpcMessage(err: unknown): string {
  const e = err as { code?: number; details?: string; message?: string };
  if (e && typeof e.code === 'number' && e.details !== undefined) {
    const names: Record<number, string> = { 3: 'invalid argument', 5: 'not found', 6: 'already exists', 9: 'failed precondition', 10: 'aborted', 14: 'coordinator unavailable', 16: 'unauthenticated', 4: 'deadline exceeded' };
    return `${names[e.code] ?? `gRPC status ${e.code}`}: ${e.details}`;
  }
  return e?.message ?? String(err);
}
