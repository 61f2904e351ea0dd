/**
 * Errors of the object store and the artifact formats, one class per condition. Each sets
 * `name` so callers can match it after it crossed a process boundary (`isErrorNamed`).
 */
import { FrcnnError, InputError } from '../util/errors.ts';

/** An object key outside the allowed alphabet or shape; quotes the key. */
export class InvalidKeyError extends FrcnnError {
  readonly key: string;
  constructor(key: string, reason: string) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidKeyError';
    this.key = key;
  }
}

/** The bytes read back do not hash to the checksum stored with them. */
export class ChecksumMismatchError extends FrcnnError {
  readonly key: string;
  constructor(key: string, expected: string, actual: string, location?: string) {
    super(`checksum mismatch for ${key}${location ? ` in ${location}` : ''}: stored sha256 ${expected}, read bytes hash to ${actual} (object corrupted or replaced)`);
    this.name = 'ChecksumMismatchError';
    this.key = key;
  }
}

/** An object above the per-object limit; artifact writers shard below it. */
export class ObjectTooLargeError extends FrcnnError {
  readonly key: string;
  constructor(key: string, bytes: number, limit: number) {
    super(`object ${key} is ${bytes} bytes, above the ${limit}-byte limit per object (shard it)`);
    this.name = 'ObjectTooLargeError';
    this.key = key;
  }
}

/** No object under this key. */
export class ObjectNotFoundError extends FrcnnError {
  readonly key: string;
  constructor(key: string, where: string, options?: ErrorOptions) {
    super(`no object ${key} in ${where}`, options);
    this.name = 'ObjectNotFoundError';
    this.key = key;
  }
}

/** The S3 bucket named in the store URL does not exist. */
export class BucketNotFoundError extends FrcnnError {
  constructor(bucket: string, endpoint: string, options?: ErrorOptions) {
    super(`bucket ${bucket} does not exist at ${endpoint}`, options);
    this.name = 'BucketNotFoundError';
  }
}

/** The S3 server refused the access key / secret key (never quoted). */
export class StoreAuthError extends FrcnnError {
  constructor(endpoint: string, detail: string, options?: ErrorOptions) {
    super(`S3 rejected the credentials for ${endpoint}: ${detail}`, options);
    this.name = 'StoreAuthError';
  }
}

/** The S3 endpoint does not answer (connection refused, DNS, timeout). */
export class StoreUnreachableError extends FrcnnError {
  constructor(endpoint: string, detail: string, options?: ErrorOptions) {
    super(`cannot reach the S3 endpoint ${endpoint}: ${detail}`, options);
    this.name = 'StoreUnreachableError';
  }
}

/** A file that is not in the format (or version) this build reads; names the file. */
export class ForeignFormatError extends InputError {
  constructor(where: string, message: string, options?: ErrorOptions) {
    super(where, message, options);
    this.name = 'ForeignFormatError';
  }
}

/** A bounded, structurally broken file of ours (truncated, inconsistent index). */
export class CorruptFileError extends InputError {
  constructor(where: string, message: string, options?: ErrorOptions) {
    super(where, message, options);
    this.name = 'CorruptFileError';
  }
}

/** An artifact with no committed manifest (not written yet, or its writer died). */
export class ArtifactNotFoundError extends FrcnnError {
  readonly prefix: string;
  constructor(prefix: string, where: string) {
    super(`no committed artifact at ${prefix} in ${where}`);
    this.name = 'ArtifactNotFoundError';
    this.prefix = prefix;
  }
}

/** A named file is not part of a committed artifact. */
export class ArtifactFileNotFoundError extends FrcnnError {
  constructor(prefix: string, name: string) {
    super(`artifact ${prefix} has no file ${JSON.stringify(name)}`);
    this.name = 'ArtifactFileNotFoundError';
  }
}

/** A save into an artifact that another attempt had already committed (first commit wins). */
export class ArtifactAlreadyCommittedError extends FrcnnError {
  readonly winner: string;
  constructor(prefix: string, attempt: string, winner: string) {
    super(`artifact ${prefix} was already committed by attempt ${winner}; attempt ${attempt} was not saved (artifacts are immutable once committed)`);
    this.name = 'ArtifactAlreadyCommittedError';
    this.winner = winner;
  }
}
