/**
 * `frcnn sweep submit|status|watch|cancel|list`: the sweeps API of the coordinator from the
 * command line. `watch` draws a live trial table and a progress bar per running job.
 */
import type { Command } from 'commander';
import { FrcnnError, UsageError } from '../../util/errors.ts';
import { parseIntOption } from '../options.ts';
import { COORDINATOR_HELP, type ConnectFlags } from '../../coordinator/cli/connect.ts';

interface Flags extends ConnectFlags {
  json?: boolean;
}

async function withClient<T>(flags: ConnectFlags, fn: (c: import('../../coordinator/grpc/client.ts').CoordinatorClient) => Promise<T>): Promise<T> {
  const { connectCoordinator, grpcMessage } = await import('../../coordinator/cli/connect.ts');
  const client = await connectCoordinator(flags);
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof FrcnnError) throw err;
    throw new FrcnnError(grpcMessage(err), { cause: err });
  } finally {
    client.close();
  }
}

async function watch(client: import('../../coordinator/grpc/client.ts').CoordinatorClient, id: string, json: boolean): Promise<string> {
  const { WatchModel, FrameWriter } = await import('../../coordinator/cli/watch-view.ts');
  const model = new WatchModel();
  const tty = Boolean(process.stderr.isTTY) && !json;
  const frame = tty ? new FrameWriter(process.stderr) : undefined;
  const timer = frame ? setInterval(() => frame.draw(model.render(process.stderr.columns)), 500) : undefined;
  const { isTransient } = await import('../../coordinator/grpc/client.ts');
  try {
    // Follow the sweep to its end, reconnecting (and re-reading the snapshot) when the coordinator restarts.
    for (let ended = false; !ended; ) {
      const stream = client.watchSweep(id);
      try {
        await new Promise<void>((resolve, reject) => {
          stream.on('data', (e: import('../../generated/frcnn/v1/SweepEvent.ts').SweepEvent__Output) => {
            if (json) process.stdout.write(`${e.type === 'snapshot' ? JSON.stringify({ type: 'snapshot', snapshot: e.snapshot }) : e.json}\n`);
            const line = model.apply(e);
            if (!json && !frame && line) process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
          });
          stream.on('end', resolve);
          stream.on('error', reject);
        });
        // A stream can also end because the coordinator shut down: only the sweep's end ends the watch.
        ended = model.sweepStatus !== 'running';
        if (!ended) await new Promise((r) => setTimeout(r, 1000));
      } catch (err) {
        if (!isTransient(err)) throw err;
        if (!frame) process.stderr.write('coordinator unavailable; reconnecting...\n');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    if (timer) clearInterval(timer);
  }
  frame?.draw(model.render(process.stderr.columns));
  return model.sweepStatus;
}

export function register(program: Command): void {
  const sweep = program.command('sweep').description('submit ablation sweeps to the coordinator and follow them');

  sweep
    .command('submit')
    .description('validate a sweep spec (YAML or JSON) and schedule its trials; prints the sweep id')
    .argument('<file>', 'sweep spec, e.g. examples/sweeps/table9-lambda.yaml ("-" for stdin)')
    .option('--coordinator <host:port>', COORDINATOR_HELP)
    .option('--idempotency-key <key>', 'submitting again with the same key returns the first sweep instead of a new one')
    .option('--check', 'validate and expand locally, print the trials, submit nothing')
    .option('--watch', 'watch the sweep after submitting it')
    .option('--json', 'print JSON')
    .action(async (file: string, flags: Flags & { idempotencyKey?: string; check?: boolean; watch?: boolean }) => {
      const { readFile } = await import('node:fs/promises');
      let text: string;
      try {
        text = file === '-' ? await new Promise<string>((resolve) => {
          let s = '';
          process.stdin.setEncoding('utf8').on('data', (d) => (s += d)).on('end', () => resolve(s));
        }) : await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`${file}: ${(err as Error).message}`);
      }
      if (flags.check) {
        const { parseSweepSpec, expandSweep } = await import('../../pipeline/sweep-spec.ts');
        const { buildTrialDag } = await import('../../pipeline/dag.ts');
        const spec = parseSweepSpec(text, file);
        const trials = expandSweep(spec, file);
        const keys = new Set<string>();
        let refs = 0;
        for (const t of trials) for (const n of buildTrialDag(t.config).nodes) {
          keys.add(n.key);
          refs++;
        }
        if (flags.json) process.stdout.write(`${JSON.stringify({ name: spec.name, trials: trials.map((t) => ({ index: t.index, label: t.label, seed: t.seed })), stages: keys.size, stageRefs: refs })}\n`);
        else {
          process.stdout.write(`${file}: sweep "${spec.name}", ${trials.length} trials, ${keys.size} distinct stages (${refs - keys.size} shared)\n`);
          for (const t of trials) process.stdout.write(`  t${t.index}  ${t.label}\n`);
        }
        return;
      }
      await withClient(flags, async (client) => {
        const res = await client.submitSweep({ spec: text, source_name: file === '-' ? 'stdin.yaml' : file, idempotency_key: flags.idempotencyKey ?? '' });
        const s = res.sweep!;
        if (flags.json) process.stdout.write(`${JSON.stringify({ id: s.id, created: res.created, trials: s.trials, stages: s.stages })}\n`);
        else process.stdout.write(`${s.id}\n`);
        process.stderr.write(`${res.created ? 'submitted' : 'already submitted (same idempotency key)'}: sweep ${s.id} "${s.name}", ${s.trials} trials, ${s.stages} stages (${s.stages_committed} already done)\n`);
        if (flags.watch) {
          const status = await watch(client, s.id, Boolean(flags.json));
          if (status !== 'succeeded') process.exitCode = 1;
        }
      });
    });

  sweep
    .command('status')
    .description("a sweep's trials (status, metrics, errors) and stages")
    .argument('<id>', 'sweep id')
    .option('--coordinator <host:port>', COORDINATOR_HELP)
    .option('--json', 'print the full detail as JSON')
    .action(async (id: string, flags: Flags) => {
      await withClient(flags, async (client) => {
        const d = await client.getSweep(id);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(d)}\n`);
          return;
        }
        const s = d.sweep!;
        const c = s.counts!;
        process.stdout.write(
          `${s.id} "${s.name}" ${s.status}${s.message ? ` (${s.message})` : ''}: trials ${c.succeeded} succeeded, ${c.failed} failed, ${c.running} running, ${c.queued} queued, ${c.cancelled} cancelled; stages ${s.stages_committed}/${s.stages} done, ${s.stages_running} running\n`,
        );
        for (const t of d.trials) {
          process.stdout.write(`  t${String(t.index).padEnd(4)} ${t.status.padEnd(10)} ${t.label.padEnd(40)} ${t.metrics_json || t.error}\n`);
        }
      });
    });

  sweep
    .command('watch')
    .description('follow a sweep: live trial table and a progress bar per running job (event lines when not on a TTY)')
    .argument('<id>', 'sweep id')
    .option('--coordinator <host:port>', COORDINATOR_HELP)
    .option('--json', 'print the events as JSON lines')
    .action(async (id: string, flags: Flags) => {
      await withClient(flags, async (client) => {
        const status = await watch(client, id, Boolean(flags.json));
        if (status !== 'succeeded') process.exitCode = 1;
      });
    });

  sweep
    .command('cancel')
    .description("cancel a sweep: its queued trials are dropped and jobs only it needs are stopped")
    .argument('<id>', 'sweep id')
    .option('--coordinator <host:port>', COORDINATOR_HELP)
    .option('--reason <text>', 'recorded with the sweep')
    .action(async (id: string, flags: Flags & { reason?: string }) => {
      await withClient(flags, async (client) => {
        const s = await client.cancelSweep(id, flags.reason ?? '');
        process.stdout.write(`${s.id} ${s.status}\n`);
      });
    });

  sweep
    .command('list')
    .description('sweeps, newest first')
    .option('--coordinator <host:port>', COORDINATOR_HELP)
    .option('--status <status>', 'only sweeps with this status (running, succeeded, failed, cancelled)')
    .option('--limit <n>', 'at most this many', parseIntOption('--limit'), 50)
    .option('--json', 'print JSON lines')
    .action(async (flags: Flags & { status?: string; limit: number }) => {
      await withClient(flags, async (client) => {
        const { sweeps } = await client.listSweeps({ status: flags.status ?? '', limit: flags.limit });
        for (const s of sweeps) {
          if (flags.json) process.stdout.write(`${JSON.stringify(s)}\n`);
          else {
            const c = s.counts!;
            process.stdout.write(`${s.id}  ${s.status.padEnd(10)} ${new Date(Number(s.submitted_at_ms)).toISOString().slice(0, 19)}  ${String(c.succeeded).padStart(4)}/${s.trials} trials ok  ${s.name}\n`);
          }
        }
      });
    });
}
