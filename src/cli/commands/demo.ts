/**
 * `frcnn demo` (`npm start`): the whole system on one machine — shapes dataset, coordinator,
 * trainers and an evaluator on loopback, a small anchors × λ × mode sweep, live progress, the
 * result tables, and the dashboard until Ctrl-C.
 */
import type { Command } from 'commander';
import { parseIntOption } from '../options.ts';

interface DemoFlags {
  workdir: string;
  httpPort: number;
  grpcPort: number;
  trainers: number;
  sweep?: string;
  serve: boolean;
  quick: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'run the whole system locally: generate the shapes dataset, start a coordinator, trainers and an evaluator on loopback, run a small anchors × λ × training-mode sweep, print the result tables and keep the dashboard up until Ctrl-C',
    )
    .option('--workdir <dir>', 'dataset, object store, coordinator state and logs; a rerun reuses what is there', '.data/demo')
    .option('--http-port <port>', 'dashboard port (a free port when taken)', parseIntOption('--http-port'), 8080)
    .option('--grpc-port <port>', 'coordinator gRPC port on 127.0.0.1 (0: any free port)', parseIntOption('--grpc-port'), 0)
    .option('--trainers <n>', 'trainer processes', parseIntOption('--trainers'), 2)
    .option('--sweep <file>', 'a sweep spec instead of the built-in demo sweep (a shapes dataset without root gets the generated one)')
    .option('--no-serve', 'exit after printing the tables instead of keeping the dashboard up')
    .option('--quick', 'a tiny dataset and sweep (a couple of minutes; for tests and smoke runs)', false)
    .action(async (flags: DemoFlags) => {
      const { runDemo } = await import('../../demo/run-demo.ts');
      const code = await runDemo(flags);
      // Every child has stopped by now; exit without waiting for work an interrupt left
      // behind in this process (a dataset half generated, gRPC channels winding down).
      process.exit(code);
    });
}
