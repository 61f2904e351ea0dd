/**
 * Ports for the demo's servers. The wanted port is probed by listening on it; when it is
 * taken (another demo, another program) a free one is chosen instead and the caller says so.
 * Between the probe and the child's own listen another program could take it; the demo
 * then sees the coordinator exit with EADDRINUSE in its log, which is rare and reported.
 */
import { createServer } from 'node:net';

function tryListen(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(undefined);
      else reject(err);
    });
    s.listen({ port, host, exclusive: true }, () => {
      const got = (s.address() as { port: number }).port;
      s.close(() => resolve(got));
    });
  });
}

export interface PickedPort {
  port: number;
  /** The wanted port was taken and `port` is another one. */
  fellBack: boolean;
}

/** `wanted` if it is free on `host` (0: any free port), else a free port. */
export async function pickPort(wanted: number, host: string): Promise<PickedPort> {
  if (wanted !== 0) {
    const got = await tryListen(wanted, host);
    if (got !== undefined) return { port: got, fellBack: false };
  }
  const any = await tryListen(0, host);
  if (any === undefined) throw new Error(`no free port on ${host}`);
  return { port: any, fellBack: wanted !== 0 };
}
