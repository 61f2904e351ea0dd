/**
 * What a loader does with a broken annotation or a missing image: throw an `InputError`
 * naming the file and the object (`'error'`, the default), or drop that object/image with a
 * warning log line (`'skip'`) and count it.
 */
import { InputError } from '../util/errors.ts';
import { logger, type Logger } from '../util/log.ts';

export type OnBroken = 'error' | 'skip';

/** Warning code on every skipped-input log line, to grep or alert on. */
export const SKIPPED_INPUT_CODE = 'FRCNN_DATA_SKIPPED';

export interface SkippedInput {
  where: string;
  message: string;
  /** 'object': one object dropped; 'image': the whole image dropped. */
  scope: 'object' | 'image';
}

export class BrokenInputHandler {
  readonly policy: OnBroken;
  readonly skipped: SkippedInput[] = [];
  private readonly log: Logger;

  constructor(policy: OnBroken = 'error', log: Logger = logger('data')) {
    if (policy !== 'error' && policy !== 'skip') throw new RangeError(`onBroken must be "error" or "skip", got ${JSON.stringify(policy)}`);
    this.policy = policy;
    this.log = log;
  }

  /** Throws under 'error'; under 'skip' records and logs, and the caller drops the object/image. */
  report(where: string, message: string, scope: SkippedInput['scope'], cause?: unknown): void {
    if (this.policy === 'error') throw new InputError(where, message, cause === undefined ? undefined : { cause });
    this.skipped.push({ where, message, scope });
    this.log.warn({ code: SKIPPED_INPUT_CODE, where, scope }, `skipped ${scope}: ${where}: ${message}`);
  }
}
