/**
 * Embedded mode: the whole orchestration in one process for one machine without NATS —
 * coordinator with its state in a directory and an in-process event bus, its gRPC server on
 * loopback, and trainer and evaluator runtimes talking to it like remote workers would.
 * `npm start` (the demo) builds on this.
 */
import { FileStateStore } from '../bus/file-state-store.ts';
import { MemoryEventBus } from '../bus/event-bus.ts';
import { Coordinator } from '../coordinator/service.ts';
import { startCoordinatorServer, type CoordinatorServer } from '../coordinator/grpc/server.ts';
import { CoordinatorClient } from '../coordinator/grpc/client.ts';
import type { CoordinatorOptions } from '../coordinator/options.ts';
import type { ExecutorRegistry } from '../pipeline/executor.ts';
import { WorkerRuntime } from './runtime.ts';
import { detectResources } from './resources.ts';

export interface LocalClusterOptions<Store> {
  /** Directory of the coordinator state (reused across runs: a re-submitted sweep reuses its stages). */
  stateDir: string;
  store: Store;
  trainerExecutors: ExecutorRegistry<Store>;
  evaluatorExecutors: ExecutorRegistry<Store>;
  /** @default 2 */
  trainers?: number;
  /** @default 1 */
  evaluators?: number;
  /** gRPC port on 127.0.0.1 (0: any free one). @default 0 */
  port?: number;
  coordinator?: Partial<CoordinatorOptions>;
}

export interface LocalCluster {
  coordinator: Coordinator;
  server: CoordinatorServer;
  /** A client for the sweeps API (what `frcnn sweep` would use). */
  client: CoordinatorClient;
  workers: WorkerRuntime[];
  /** Drain the workers, then stop the server and the coordinator. */
  stop(): Promise<void>;
}

export async function startLocalCluster<Store>(o: LocalClusterOptions<Store>): Promise<LocalCluster> {
  const state = await FileStateStore.open(o.stateDir);
  const coordinator = await Coordinator.open({ store: state, bus: new MemoryEventBus(), ...o.coordinator });
  const server = await startCoordinatorServer(coordinator, { host: '127.0.0.1', port: o.port ?? 0 });
  const clients: CoordinatorClient[] = [];
  const resources = detectResources();
  const make = (id: string, executors: ExecutorRegistry<Store>) => {
    const client = new CoordinatorClient({ address: server.address });
    clients.push(client);
    return new WorkerRuntime({ client, workerId: id, resources, executors, store: o.store, leaseWaitMs: 5_000 });
  };
  const workers = [
    ...Array.from({ length: o.trainers ?? 2 }, (_, i) => make(`trainer-${i + 1}`, o.trainerExecutors)),
    ...Array.from({ length: o.evaluators ?? 1 }, (_, i) => make(`evaluator-${i + 1}`, o.evaluatorExecutors)),
  ];
  const runs = workers.map((w) => w.run());
  const client = new CoordinatorClient({ address: server.address });
  return {
    coordinator,
    server,
    client,
    workers,
    async stop() {
      for (const w of workers) w.drain();
      await Promise.allSettled(runs);
      client.close();
      for (const c of clients) c.close();
      await server.close();
      await coordinator.close();
      await state.close();
    },
  };
}
