/**
 * `frcnn backend`: start the compute backend exactly as a trainer would and print what it
 * chose — the quickest way to see whether a machine trains on tensorflow, threaded wasm or
 * cpu, and why (the choice and any fallback are logged on stderr).
 */
import type { Command } from 'commander';
import { parseIntOption } from '../cli/options.ts';
import { UsageError } from '../util/errors.ts';
import { BACKEND_NAMES, isBackendName, type BackendInfo } from './types.ts';

interface BackendFlags {
  backend?: string;
  threads?: number;
  json?: boolean;
}

export function formatBackendInfo(info: BackendInfo): string {
  const rows: Array<[string, string]> = [
    ['backend', info.name],
    ['threads', info.name === 'tensorflow' ? 'managed by TensorFlow' : String(info.threads)],
    ['simd', String(info.simd)],
    ['device', info.device],
    ['tfjs-core', info.tfjsVersion],
    ['package', info.package],
    ...(info.nativeBlas ? [['native blas', info.nativeBlas] as [string, string]] : []),
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('backend')
    .description('start the compute backend as a trainer would (tensorflow > wasm > cpu) and print what was chosen')
    .option('--backend <name>', `force a backend: ${BACKEND_NAMES.join(' | ')} (default: FRCNN_BACKEND, else the best available)`)
    .option('--threads <n>', 'wasm threads (default: FRCNN_THREADS, else one per core)', parseIntOption('--threads'))
    .option('--json', 'print the BackendInfo record as JSON')
    .action(async (flags: BackendFlags) => {
      if (flags.backend !== undefined && !isBackendName(flags.backend)) {
        throw new UsageError(`--backend: expected one of ${BACKEND_NAMES.join(', ')}, got ${JSON.stringify(flags.backend)}`);
      }
      if (flags.threads !== undefined && flags.threads < 1) throw new UsageError(`--threads: expected a positive integer, got ${flags.threads}`);
      const { initBackend } = await import('./init.ts');
      const info = await initBackend({ backend: flags.backend, threads: flags.threads });
      process.stdout.write(flags.json ? JSON.stringify(info) + '\n' : formatBackendInfo(info));
    });
}
