/** The worker-thread side of parallel detection: a copy of the detector that detects on the entries it is sent. */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort } from 'node:worker_threads';
import { isBackendName } from '../../backend/index.ts';
import { setupCompute } from '../compute.ts';
import { FasterRCNN } from '../faster-rcnn.ts';
import { fromWire } from '../training/replicas/wire.ts';
import { detectOne } from './detect-one.ts';
import type { FromDetectWorker, ToDetectWorker } from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('detect-host runs in a worker thread');

let model: FasterRCNN | undefined;

function reply(msg: FromDetectWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer);
}

async function handle(msg: ToDetectWorker): Promise<void> {
  if (msg.kind === 'init') {
    await setupCompute(isBackendName(msg.backend) ? msg.backend : undefined, 1);
    model = FasterRCNN.create(msg.config, 0);
    const weights = fromWire(msg.weights);
    model.setWeights(weights, { source: 'detection worker init' });
    tf.dispose(weights);
    reply({ kind: 'ready' });
    return;
  }
  if (!model) throw new Error('detection worker used before init');
  const r = await detectOne(model, msg.entry);
  reply({ kind: 'detections', index: msg.index, ...r }, [r.boxes.buffer as ArrayBuffer, r.scores.buffer as ArrayBuffer, r.classes.buffer as ArrayBuffer]);
}

// One message at a time, in order.
let queue = Promise.resolve();
port.on('message', (msg: ToDetectWorker) => {
  queue = queue.then(() =>
    handle(msg).catch((e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      reply({ kind: 'error', message: err.message, index: msg.kind === 'detect' ? msg.index : undefined });
    }),
  );
});
