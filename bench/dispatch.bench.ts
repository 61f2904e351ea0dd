/**
 * Dispatch latency: 100 simulated workers long-poll a real coordinator over loopback gRPC and
 * finish every job at once, so the coordinator's own path is what is measured: from the moment
 * a stage is ready (its input committed) and a worker is waiting, until that worker holds the
 * lease (chosen, persisted, answered).
 * Prints p50/p99 of that latency and the job throughput, for state in a directory (fsync per
 * record) and in NATS JetStream KV (when nats-server is installed).
 * Baseline in the same run: a plain unary round trip (ListSweeps) on the same server.
 *
 *   npm run bench:dispatch [-- --workers 100 --trials 150]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Coordinator } from '../src/coordinator/service.ts';
import { startCoordinatorServer } from '../src/coordinator/grpc/server.ts';
import { CoordinatorClient } from '../src/coordinator/grpc/client.ts';
import { FileStateStore } from '../src/bus/file-state-store.ts';
import { MemoryEventBus } from '../src/bus/event-bus.ts';
import type { StateStore } from '../src/bus/state-store.ts';
import { STAGE_KINDS } from '../src/pipeline/stage-kind.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const WORKERS = arg('workers', 100);
const TRIALS = arg('trials', 150);

const spec = `name: dispatch-bench
base:
  dataset: { name: shapes, limit: 8 }
  backbone: { name: small }
  mode: end2end
  shards: { detect: 4 }
axes:
  - grid:
      seed: [${Array.from({ length: TRIALS }, (_, i) => i).join(', ')}]
limits: { maxTrials: ${TRIALS} }
`;

const chainSpec = (i: number) => `name: chain-${i}
base:
  dataset: { name: shapes, limit: 8 }
  backbone: { name: small }
  mode: end2end
  seed: ${100_000 + i}
`;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function scenario(label: string, store: StateStore): Promise<void> {
  const coordinator = await Coordinator.open({ store, bus: new MemoryEventBus(), leaseTtlMs: 30_000 });
  const server = await startCoordinatorServer(coordinator, { host: '127.0.0.1', port: 0 });
  const clients = Array.from({ length: WORKERS }, () => new CoordinatorClient({ address: server.address }));
  const ready = new Map<string, number>();
  coordinator.subscribe((e) => {
    if (e.type === 'job.queued') ready.set(e.stageKey, performance.now());
  });

  // Baseline: unary round trips on the same server, sequential.
  const rtt: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await clients[i % WORKERS].listSweeps({ limit: 1 });
    rtt.push(performance.now() - t);
  }

  await Promise.all(
    clients.map((c, i) =>
      c.registerWorker({ worker_id: `w${i}`, kinds: [...STAGE_KINDS], resources: { gpus: 1, gpu_memory_mb: 16000, cpu_cores: 4, memory_mb: 16000 } }),
    ),
  );
  const latencies: number[] = [];
  let stop = false;
  const loops = clients.map(async (c, i) => {
    while (!stop) {
      const asked = performance.now();
      const { job } = await c.leaseJob(`w${i}`, 1000);
      if (!job) continue;
      const got = performance.now();
      const t0 = ready.get(job.stage_key);
      // From the moment both a job was ready and this worker was waiting (no queueing for workers).
      if (t0 !== undefined) latencies.push(got - Math.max(t0, asked));
      await c.completeJob({ worker_id: `w${i}`, stage_key: job.stage_key, fencing_token: job.fencing_token, result_json: job.kind === 'evaluate' ? '{"mAP":0.5}' : '{}' });
    }
  });
  const finished = async (id: string) => {
    while (coordinator.sweepDetail(id as never).sweep.status === 'running') await new Promise((r) => setTimeout(r, 5));
  };
  // One job at a time: single-trial chains while all workers wait (the latency of one dispatch).
  for (let i = 0; i < 40; i++) {
    const { sweep } = await coordinator.submitSweep({ text: chainSpec(i), source: 'chain.yaml' });
    await finished(sweep.id);
  }
  const single = latencies.splice(0);
  // Saturated: many trials at once, workers always busy (dispatch under load, and throughput).
  const t0 = performance.now();
  const { sweep } = await coordinator.submitSweep({ text: spec, source: 'bench.yaml' });
  await finished(sweep.id);
  const seconds = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(loops);
  const jobs = coordinator.sweepDetail(sweep.id).stages.length;
  const ms = (xs: number[]) => `p50 ${quantile(xs, 0.5).toFixed(2)} ms  p99 ${quantile(xs, 0.99).toFixed(2)} ms`;
  console.log(`${label}`);
  console.log(`  dispatch, one job at a time      ${ms(single)}  (${single.length} jobs)`);
  console.log(`  dispatch, saturated              ${ms(latencies)}  (${latencies.length} jobs, ${(jobs / seconds).toFixed(0)} jobs/s)`);
  console.log(`  baseline: unary gRPC round trip  ${ms(rtt)}`);
  for (const c of clients) c.close();
  await server.close();
  await coordinator.close();
}

console.log(`dispatch bench: ${WORKERS} workers long-polling over loopback gRPC, ${TRIALS} end2end trials (${TRIALS * 7} jobs), zero-length jobs`);
const dir = await mkdtemp(join(tmpdir(), 'frcnn-dispatch-'));
try {
  const fileStore = await FileStateStore.open(dir);
  await scenario('state: file (fsync)', fileStore);
  await fileStore.close();
  let nats: { url: string; stop(): Promise<void> } | undefined;
  try {
    const { startNatsServer } = await import('../test/utils/nats-server.ts');
    nats = await startNatsServer();
  } catch (err) {
    console.log(`state: NATS KV skipped (${(err as Error).message.split('\n')[0]})`);
  }
  if (nats) {
    const { connectNats } = await import('../src/bus/nats-connection.ts');
    const { NatsStateStore } = await import('../src/bus/nats-state-store.ts');
    const nc = await connectNats({ url: nats.url, name: 'bench' });
    await scenario('state: NATS JetStream KV', await NatsStateStore.open(nc, { bucket: 'bench' }));
    await nc.close();
    await nats.stop();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
