/**
 * Proposals from outside the pipeline (mode external-proposals, e.g. Selective Search): a
 * proposals boxes file in original-image pixels, in a local directory or at `store:<prefix>`
 * in the stage's store (`frcnn store boxes` shows one; `BoxesWriter` makes one).
 */
import { resolve } from 'node:path';
import { openBoxesFile, type BoxesReader } from '../../storage/formats/boxes-file.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { directoryFiles } from '../../storage/prefix-io.ts';
import { InputError } from '../../util/errors.ts';
import { STORE_DATASET_SCHEME } from '../dataset-source.ts';
import { openBoxesAt } from '../store-io.ts';

export async function openExternalProposals(location: string | undefined, store: ObjectStore, field: string): Promise<BoxesReader> {
  if (!location) throw new InputError(field, 'is required for proposals: external (a proposals boxes file: a directory or store:<prefix>)');
  if (location.startsWith(STORE_DATASET_SCHEME)) return openBoxesAt(store, location.slice(STORE_DATASET_SCHEME.length), 'proposals');
  try {
    return await openBoxesFile(directoryFiles(resolve(location)), 'proposals');
  } catch (err) {
    throw new InputError(`${field} ${location}`, `cannot read a proposals boxes file there (${(err as Error).message})`, { cause: err });
  }
}
