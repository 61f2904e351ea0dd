/**
 * The coordinator. Public surface:
 * - `Coordinator` (service.ts): `Coordinator.open({store, bus})`, commands (submitSweep,
 *   cancelSweep, registerWorker, lease, heartbeat, complete, fail, release) and the read API
 *   for the dashboard: `snapshot()`, `sweepDetail(id)`, `listSweeps()`, `subscribe(listener)`.
 * - `CoordinatorCore` (core.ts): the deterministic state machine under it (simulations, tests).
 * - Records and events (types.ts), options (options.ts), errors (errors.ts).
 * - `startCoordinatorServer` (grpc/server.ts): the gRPC SweepService + WorkerService.
 */
export { Coordinator, type CoordinatorSnapshot, type SweepDetail, type SweepSummary, type CoordinatorListener, type CoordinatorServiceOptions } from './service.ts';
export { CoordinatorCore, type LeasedJob } from './core.ts';
export * from './types.ts';
export * from './options.ts';
export * from './errors.ts';
export { systemClock, ManualClock, type Clock } from './clock.ts';
export { startCoordinatorServer, type CoordinatorServer } from './grpc/server.ts';
export { CoordinatorClient, isTransient, type ClientOptions } from './grpc/client.ts';
