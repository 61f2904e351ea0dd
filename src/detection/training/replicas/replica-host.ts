/**
 * The worker-thread side of a data-parallel replica: its own tfjs engine and backend (one
 * wasm thread), a copy of the detector and of the optimizer. It computes the gradients of the
 * image it is sent and applies the averaged gradients the training process sends back, with
 * the same kernels on the same numbers, so its weights stay bit-identical to the main copy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort } from 'node:worker_threads';
import { Rng } from '../../../util/rng.ts';
import { isBackendName } from '../../../backend/index.ts';
import { setupCompute } from '../../compute.ts';
import { FasterRCNN } from '../../faster-rcnn.ts';
import { DetectorTrainer, NonFiniteLossError } from '../trainer.ts';
import type { FromReplica, ToReplica, WireTensors } from './protocol.ts';
import { fromWire, toWire } from './wire.ts';

const port = parentPort;
if (!port) throw new Error('replica-host runs in a worker thread');

let trainer: DetectorTrainer | undefined;

function reply(msg: FromReplica, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer);
}

function buffersOf(t: WireTensors): ArrayBuffer[] {
  return Object.values(t).map((w) => w.data.buffer as ArrayBuffer);
}

async function handle(msg: ToReplica): Promise<void> {
  switch (msg.kind) {
    case 'init': {
      await setupCompute(isBackendName(msg.backend) ? msg.backend : undefined, 1);
      const model = FasterRCNN.create(msg.config, 0);
      const weights = fromWire(msg.weights);
      model.setWeights(weights, { source: 'replica init' });
      tf.dispose(weights);
      trainer = new DetectorTrainer(model, msg.sgd, new Rng(msg.rng), msg.iteration);
      const slots = fromWire(msg.slots);
      trainer.optimizer.setState(slots, trainer.trainableParams);
      tf.dispose(slots);
      reply({ kind: 'ready', rng: trainer.rng.state() });
      return;
    }
    case 'gradients': {
      const t = requireTrainer();
      t.iteration = msg.iteration;
      const g = t.computeGradients(msg.blob, msg.targets);
      const grads = toWire(g.grads);
      tf.dispose(g.grads);
      reply({ kind: 'gradients', iteration: msg.iteration, losses: g.losses, grads, timings: g.timings, rng: t.rng.state() }, buffersOf(grads));
      return;
    }
    case 'apply': {
      const t = requireTrainer();
      t.iteration = msg.iteration;
      t.applyGradients(fromWire(msg.grads));
      return;
    }
    case 'weights': {
      const t = requireTrainer();
      const w = t.model.getWeights();
      const s = t.optimizer.getState();
      const weights = toWire(w);
      const slots = toWire(s);
      tf.dispose([w, s]);
      reply({ kind: 'weights', weights, slots }, [...buffersOf(weights), ...buffersOf(slots)]);
      return;
    }
  }
}

function requireTrainer(): DetectorTrainer {
  if (!trainer) throw new Error('replica used before init');
  return trainer;
}

// Messages are handled one at a time, in order: an 'apply' always lands before the next 'gradients'.
let queue = Promise.resolve();
port.on('message', (msg: ToReplica) => {
  queue = queue.then(
    () =>
      handle(msg).catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        reply({
          kind: 'error',
          message: e.message,
          stack: e.stack,
          nonFinite: err instanceof NonFiniteLossError ? { iteration: err.iteration, term: err.term, value: err.value } : undefined,
        });
      }),
  );
});
