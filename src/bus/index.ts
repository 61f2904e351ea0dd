/** State stores and event buses of the coordinator (interfaces and adapters). */
export * from './state-store.ts';
export * from './event-bus.ts';
export { FileStateStore } from './file-state-store.ts';
export { openState, type OpenedState } from './open.ts';
