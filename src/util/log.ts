/**
 * The one place that creates loggers: pino JSON to stderr (stdout is for command results).
 * Level from FRCNN_LOG_LEVEL (default "info"; "silent" in tests unless set).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

let root: Logger | undefined;

function defaultLevel(): string {
  if (process.env.FRCNN_LOG_LEVEL) return process.env.FRCNN_LOG_LEVEL;
  if (process.env.NODE_TEST_CONTEXT) return 'silent';
  return 'info';
}

/** The process-wide root logger. */
export function rootLogger(): Logger {
  root ??= pino(
    {
      level: defaultLevel(),
      base: { pid: process.pid },
      // Secrets never reach a log line, whatever object carries them.
      redact: { paths: ['*.token', '*.secretKey', '*.password', '*.authorization', 'token', 'secretKey'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
  return root;
}

/** A child logger for one component, with extra bindings (sweep/trial/job ids, worker id...). */
export function logger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ component, ...bindings });
}
