/**
 * The public surface of src/storage: object stores (fs and S3), the artifact commit protocol,
 * checkpoint IOHandlers and the binary boxes format. tfjs is imported only by `tfjs-io.ts`,
 * which this barrel re-exports (type-only: it loads no tfjs code at run time).
 */
export { MAX_OBJECT_BYTES, listAll, type ObjectStore, type ObjectInfo, type PutOptions } from './object-store.ts';
export { openStore, type OpenStoreOptions, type S3Settings } from './open-store.ts';
export { FsObjectStore } from './fs-store.ts';
export { S3ObjectStore, type S3StoreOptions } from './s3-store.ts';
export { validateKey, validatePrefix, joinKey, MAX_KEY_LENGTH } from './keys.ts';
export { sha256Hex } from './checksum.ts';
export {
  beginArtifact,
  commitSealed,
  commitAttempt,
  openArtifact,
  tryOpenArtifact,
  cleanupAttempts,
  deleteArtifact,
  listArtifacts,
  gcArtifacts,
  attemptId,
  type AttemptId,
  type Artifact,
  type ArtifactWriter,
  type ArtifactManifest,
  type ArtifactFile,
  type CommitResult,
} from './artifact.ts';
export { prefixFiles, directoryFiles, type PrefixFiles } from './prefix-io.ts';
export { directoryIOHandler, artifactIOHandler, type CheckpointHandlerOptions, type ArtifactCheckpointOptions } from './tfjs-io.ts';
export { BoxesWriter, BoxesReader, openBoxesFile, mergeBoxesFiles, ImageNotInFileError, type BoxesKind, type ImageBoxes, type BoxesSummary } from './formats/boxes-file.ts';
export * from './errors.ts';
