/**
 * Every environment variable frcnn reads, in one table: name, default, and what it is for.
 * Code reads them through `env(...)`; the Kubernetes manifests are checked against this table.
 * Secrets (`secret: true`) may also come from a file named by `<NAME>_FILE`.
 */

export interface EnvVar {
  default?: string;
  secret?: boolean;
  description: string;
}

export const ENV = {
  FRCNN_BACKEND: { description: 'Compute backend: tensorflow | wasm | cpu (default: best available)' },
  FRCNN_THREADS: { description: 'Threads for the wasm backend (default: usable CPUs minus those busy with other work, 1..8); set, it also keeps `train` to one model copy' },
  FRCNN_NATIVE_BLAS: { default: 'auto', description: 'auto: convolutions and matrix products on the wasm backend run through the native OpenBLAS addon when it is built (npm run build:native); off: wasm kernels only' },
  FRCNN_LOG_LEVEL: { default: 'info', description: 'pino log level' },
  FRCNN_GRPC_PORT: { default: '50051', description: 'Coordinator gRPC port (SweepService, WorkerService)' },
  FRCNN_HTTP_PORT: { default: '8080', description: 'Coordinator HTTP port (dashboard, JSON API, /metrics, /healthz)' },
  FRCNN_COORDINATOR: { default: '127.0.0.1:50051', description: 'host:port of the coordinator, for workers and the CLI' },
  FRCNN_TOKEN: { secret: true, description: 'Bearer token required on gRPC and mutating HTTP routes when set' },
  FRCNN_TLS_CERT: { description: 'PEM certificate file for the coordinator (enables TLS)' },
  FRCNN_TLS_KEY: { description: 'PEM private key file for the coordinator' },
  FRCNN_TLS_CA: { description: 'PEM CA file: clients verify the server with it; the server requires client certs (mTLS) when set' },
  FRCNN_STATE: { default: 'file:.data/state', description: 'Coordinator state: nats://host:port (JetStream KV) or file:DIR' },
  FRCNN_NATS_URL: { description: 'NATS server URL for events and state (e.g. nats://nats:4222)' },
  FRCNN_STORE: { default: '.data/store', description: 'Object store: a directory, or s3://bucket/prefix' },
  FRCNN_S3_ENDPOINT: { description: 'S3 endpoint host[:port] (MinIO or any S3)' },
  FRCNN_S3_USE_SSL: { default: 'false', description: 'true to use https to the S3 endpoint' },
  FRCNN_S3_REGION: { default: 'us-east-1', description: 'S3 region' },
  FRCNN_S3_ACCESS_KEY: { secret: true, description: 'S3 access key' },
  FRCNN_S3_SECRET_KEY: { secret: true, description: 'S3 secret key' },
  FRCNN_WORKER_ID: { description: 'Worker id (default: hostname-pid)' },
  FRCNN_WORKER_GPUS: { description: 'GPUs this worker offers (default: detected)' },
  FRCNN_DATA_DIR: { default: '.data', description: 'Local scratch directory for datasets and caches' },
} as const satisfies Record<string, EnvVar>;

export type EnvName = keyof typeof ENV;

/** The value of an frcnn environment variable, its `_FILE` indirection for secrets, or its default. */
export async function env(name: EnvName): Promise<string | undefined> {
  const spec: EnvVar = ENV[name];
  const direct = process.env[name];
  if (direct !== undefined && direct !== '') return direct;
  if (spec.secret) {
    const file = process.env[`${name}_FILE`];
    if (file) {
      const { readFile } = await import('node:fs/promises');
      return (await readFile(file, 'utf8')).trim();
    }
  }
  return spec.default;
}

/** Synchronous variant for non-secret variables. */
export function envSync(name: EnvName): string | undefined {
  const spec: EnvVar = ENV[name];
  const direct = process.env[name];
  return direct !== undefined && direct !== '' ? direct : spec.default;
}
