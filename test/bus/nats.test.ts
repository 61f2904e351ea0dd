import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startNatsServer, type NatsTestServer } from '../utils/nats-server.ts';
import { connectNats } from '../../src/bus/nats-connection.ts';
import { NatsStateStore } from '../../src/bus/nats-state-store.ts';
import { NatsEventBus } from '../../src/bus/nats-event-bus.ts';
import type { CoordinatorEvent } from '../../src/coordinator/types.ts';
import { asSweepId } from '../../src/pipeline/ids.ts';

let nats: NatsTestServer;
before(async () => {
  nats = await startNatsServer();
});
after(async () => {
  await nats.stop();
});

const bucket = () => `test_${randomUUID().replace(/-/g, '')}`;

test('JetStream KV: compare-and-set refuses a stale writer (a second coordinator)', async () => {
  const nc1 = await connectNats({ url: nats.url, name: 'a' });
  const nc2 = await connectNats({ url: nats.url, name: 'b' });
  const b = bucket();
  const a = await NatsStateStore.open(nc1, { bucket: b });
  const other = await NatsStateStore.open(nc2, { bucket: b });
  const r1 = await a.put('sweep.sw-1', { status: 'running' }, undefined);
  await assert.rejects(other.put('sweep.sw-1', { status: 'cancelled' }, undefined), { name: 'RevisionMismatchError' });
  const r2 = await other.put('sweep.sw-1', { status: 'cancelled' }, r1);
  assert.ok(r2 > r1);
  await assert.rejects(a.put('sweep.sw-1', { status: 'succeeded' }, r1), { name: 'RevisionMismatchError' });
  assert.deepEqual(await a.loadAll(), [{ key: 'sweep.sw-1', value: { status: 'cancelled' }, revision: r2 }]);
  await nc1.close();
  await nc2.close();
});

test('JetStream KV survives a server restart; writes during the outage land after it', async () => {
  const nc = await connectNats({ url: nats.url, name: 'restart' });
  const b = bucket();
  const s = await NatsStateStore.open(nc, { bucket: b });
  const entries = Array.from({ length: 50 }, (_, i) => ({ key: `stage.k${i}`, value: { i } }));
  const revs = await Promise.all(entries.map((e) => s.put(e.key, e.value, undefined)));
  await nats.stop(false);
  // Written while the server is down: the client retries until it is back.
  const pending = (async () => {
    for (;;) {
      try {
        return await s.put('stage.k0', { i: 0, updated: true }, revs[0]);
      } catch (err) {
        if ((err as Error).name === 'RevisionMismatchError') throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();
  await new Promise((r) => setTimeout(r, 300));
  await nats.restart();
  const r = await pending;
  assert.ok(r > revs[0]);
  const loaded = (await s.loadAll()).sort((x, y) => Number(x.key.slice(7)) - Number(y.key.slice(7)));
  assert.equal(loaded.length, 50);
  assert.deepEqual(loaded[0].value, { i: 0, updated: true });
  assert.deepEqual(loaded[49].value, { i: 49 });
  await nc.close();
});

test('events reach subscribers of their sweeps, also after a server restart', async () => {
  const pubConn = await connectNats({ url: nats.url, name: 'pub' });
  const subConn = await connectNats({ url: nats.url, name: 'sub' });
  const pub = new NatsEventBus(pubConn);
  const sub = new NatsEventBus(subConn);
  const got: CoordinatorEvent[] = [];
  const all: CoordinatorEvent[] = [];
  sub.subscribe(asSweepId('sw-a'), (e) => got.push(e));
  sub.subscribe(undefined, (e) => all.push(e));
  await subConn.flush();
  const ev = (sweeps: string[], at: number): CoordinatorEvent => ({ type: 'sweep.done', at, sweepIds: sweeps.map(asSweepId), sweepId: asSweepId(sweeps[0]), status: 'succeeded', succeeded: 1, failed: 0, cancelled: 0 });
  pub.publish(ev(['sw-a'], 1));
  pub.publish(ev(['sw-b'], 2));
  pub.publish(ev(['sw-b', 'sw-a'], 3));
  await pub.flush();
  await waitFor(() => got.length === 2 && all.length === 4);
  assert.deepEqual(got.map((e) => e.at), [1, 3]);

  await nats.restart();
  await waitFor(() => !pubConn.isClosed() && (pubConn as unknown as { protocol: { connected: boolean } }).protocol.connected, 10_000);
  await waitFor(() => (subConn as unknown as { protocol: { connected: boolean } }).protocol.connected, 10_000);
  await subConn.flush();
  pub.publish(ev(['sw-a'], 4));
  await pub.flush();
  await waitFor(() => got.length === 3);
  assert.equal(got[2].at, 4);
  await pub.close();
  await sub.close();
  await pubConn.close();
  await subConn.close();
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a second coordinator on the same KV bucket is stopped by compare-and-set', async () => {
  const { Coordinator } = await import('../../src/coordinator/service.ts');
  const { MemoryEventBus } = await import('../../src/bus/event-bus.ts');
  const b = bucket();
  const nc1 = await connectNats({ url: nats.url, name: 'c1' });
  const nc2 = await connectNats({ url: nats.url, name: 'c2' });
  const fatal: Error[] = [];
  const c1 = await Coordinator.open({ store: await NatsStateStore.open(nc1, { bucket: b }), bus: new MemoryEventBus() });
  const c2 = await Coordinator.open({ store: await NatsStateStore.open(nc2, { bucket: b }), bus: new MemoryEventBus(), onFatal: (e) => fatal.push(e) });
  const text = 'name: twice\nbase: { dataset: { name: shapes }, mode: end2end }\n';
  await c1.submitSweep({ text });
  // c2 never saw c1's records: writing the same stage records must fail, not overwrite them.
  await assert.rejects(c2.submitSweep({ text }), { name: 'StateConflictError' });
  assert.equal(fatal.length, 1);
  await assert.rejects(c2.submitSweep({ text }), { name: 'StateConflictError' }, 'stays stopped');
  await c1.close();
  await c2.close();
  await nc1.close();
  await nc2.close();
});
