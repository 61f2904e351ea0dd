/**
 * The demo's child processes: `frcnn coordinator|trainer|evaluator` started with their output
 * (pino JSON) appended to `<logs>/<name>.log`, watched for early exits, and stopped in order.
 *
 * Children run in their own process group (`detached`), so a Ctrl-C in the terminal reaches
 * the demo alone and the demo decides the order: workers first (SIGTERM: they checkpoint,
 * give their leases back and exit), then the coordinator, which must still be up to take
 * the leases back. A child that outlives its grace period gets SIGKILL. If the demo itself
 * exits without stopping them (an uncaught error), an `exit` hook kills what is left, so no
 * process outlives the demo.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FrcnnError } from '../util/errors.ts';

const BIN = new URL('../../bin/frcnn.js', import.meta.url).pathname;

/** How long a worker may take to drain after SIGTERM (ms): it checkpoints the running stage. */
export const WORKER_STOP_GRACE_MS = 30_000;
/** How long the coordinator may take to close after SIGTERM (ms). */
export const COORDINATOR_STOP_GRACE_MS = 10_000;

export interface ChildSpec {
  /** `coordinator`, `trainer-1`…; names the log file. */
  name: string;
  /** Arguments of `frcnn`, e.g. `['trainer', '--coordinator', '127.0.0.1:50051']`. */
  args: string[];
  /** Extra environment on top of the demo's own. */
  env?: Record<string, string>;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Set once exited. */
  exitStatus?: number | string;
  /** True once the demo asked it to stop (an exit after that is expected). */
  stopping: boolean;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux port Node supports). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system) a running process has used so far, from /proc; undefined where
 * there is no procfs or the process is gone. With other programs on the machine this says
 * what the demo would take alone better than the wall time does.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after its closing ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** The last `n` lines of a log file, for error messages. */
export function tailFile(path: string, n = 12): string {
  try {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    return lines.slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

export class ProcessSupervisor {
  private readonly children: Child[] = [];
  private readonly processes = new Map<Child, ChildProcess>();
  private readonly onExitHook = () => this.killAllNow();
  private unexpected: ((c: Child) => void) | undefined;

  constructor(
    readonly logDir: string,
    private readonly baseEnv: NodeJS.ProcessEnv = process.env,
  ) {
    process.on('exit', this.onExitHook);
  }

  /** Called when a child exits before the demo asked it to stop. */
  onUnexpectedExit(fn: (c: Child) => void): void {
    this.unexpected = fn;
  }

  get list(): readonly Child[] {
    return this.children;
  }

  start(spec: ChildSpec): Child {
    const logFile = join(this.logDir, `${spec.name}.log`);
    const fd = openSync(logFile, 'a');
    let proc: ChildProcess;
    try {
      proc = spawn(process.execPath, [BIN, ...spec.args], {
        env: { ...this.baseEnv, ...spec.env },
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(fd);
    }
    if (proc.pid === undefined) throw new FrcnnError(`could not start ${spec.name} (frcnn ${spec.args.join(' ')})`);
    let resolveExit!: (v: number | string) => void;
    const child: Child = {
      name: spec.name,
      pid: proc.pid,
      logFile,
      stopping: false,
      exited: new Promise((r) => (resolveExit = r)),
    };
    proc.once('exit', (code, signal) => {
      child.exitStatus = code ?? signal ?? 'unknown';
      this.processes.delete(child);
      resolveExit(child.exitStatus);
      if (!child.stopping) this.unexpected?.(child);
    });
    this.children.push(child);
    this.processes.set(child, proc);
    return child;
  }

  /** SIGTERM, then SIGKILL (to its process group) after `graceMs`. Resolves when it has exited. */
  async stop(child: Child, graceMs: number): Promise<number | string> {
    child.stopping = true;
    const proc = this.processes.get(child);
    if (!proc) return child.exitStatus ?? 'unknown';
    proc.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(child.pid), graceMs);
    try {
      return await child.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stop the named children together. */
  async stopAll(children: readonly Child[], graceMs: number): Promise<void> {
    await Promise.all(children.map((c) => this.stop(c, graceMs)));
  }

  /** SIGKILL every child still running (used on a second Ctrl-C and at process exit). */
  killAllNow(): void {
    for (const c of this.processes.keys()) {
      c.stopping = true;
      killGroup(c.pid);
    }
  }

  /** Forget the exit hook (after everything stopped). */
  dispose(): void {
    process.off('exit', this.onExitHook);
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
