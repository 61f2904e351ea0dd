/**
 * Error classes shared by every part of frcnn. One class per condition; each sets `name`
 * (so it can be matched after crossing a process boundary) and passes `cause` through.
 */

/** Base class: anything frcnn throws on purpose. */
export class FrcnnError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FrcnnError';
  }
}

/**
 * Bad input from a user or a file: a malformed annotation, a missing field, a broken line.
 * `where` names the file (and line/record/field) at fault so the message can quote it.
 */
export class InputError extends FrcnnError {
  readonly where: string;
  constructor(where: string, message: string, options?: ErrorOptions) {
    super(`${where}: ${message}`, options);
    this.name = 'InputError';
    this.where = where;
  }
}

/** A command-line usage error (bad flag value, missing argument). Exit code 2. */
export class UsageError extends FrcnnError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** True when `err` is an error of class `name` (by instanceof or by name, for errors that crossed a process). */
export function isErrorNamed(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}
