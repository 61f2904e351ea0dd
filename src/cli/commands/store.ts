/**
 * `frcnn store`: look into the object store (a directory or s3://bucket/prefix, from --store
 * or FRCNN_STORE): list objects or artifacts, verify an artifact's checksums, print an object,
 * summarise a proposals/detections artifact, and garbage-collect artifacts.
 */
import type { Command } from 'commander';
import { envSync } from '../../config/env.ts';
import { UsageError, FrcnnError } from '../../util/errors.ts';
import type { ObjectStore } from '../../storage/object-store.ts';

interface StoreFlags {
  store?: string;
  json?: boolean;
}

const STORE_HELP = 'object store: a directory, file:DIR or s3://bucket/prefix (default: FRCNN_STORE, else .data/store)';

async function withStore<T>(flags: StoreFlags, fn: (store: ObjectStore) => Promise<T>): Promise<T> {
  const url = flags.store ?? envSync('FRCNN_STORE');
  if (!url) throw new UsageError('--store: no store given and FRCNN_STORE is not set');
  const { openStore } = await import('../../storage/open-store.ts');
  const store = await openStore(url);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function register(program: Command): void {
  const store = program.command('store').description('inspect, verify and clean the object store (fs or S3)');

  store
    .command('ls')
    .description('list the objects (or, with --artifacts, the artifacts) under a prefix')
    .argument('[prefix]', 'key prefix, e.g. stages/ (default: everything)', '')
    .option('--store <url>', STORE_HELP)
    .option('--artifacts', 'list artifacts (committed or not) instead of objects')
    .option('--json', 'print JSON lines instead of a table')
    .action(async (prefix: string, flags: StoreFlags & { artifacts?: boolean }) => {
      await withStore(flags, async (s) => {
        if (flags.artifacts) {
          const { listArtifacts } = await import('../../storage/artifact.ts');
          for (const a of await listArtifacts(s, prefix)) {
            process.stdout.write(flags.json ? `${JSON.stringify(a)}\n` : `${a.committed ? 'committed  ' : 'uncommitted'}  ${a.prefix}\n`);
          }
          return;
        }
        for await (const o of s.list(prefix)) {
          process.stdout.write(flags.json ? `${JSON.stringify(o)}\n` : `${String(o.size).padStart(12)}  ${o.key}\n`);
        }
      });
    });

  store
    .command('verify')
    .description("read every file of a committed artifact and check it against the manifest's SHA-256")
    .argument('<prefix>', 'artifact prefix, e.g. stages/<stageKey>')
    .option('--store <url>', STORE_HELP)
    .action(async (prefix: string, flags: StoreFlags) => {
      await withStore(flags, async (s) => {
        const { openArtifact } = await import('../../storage/artifact.ts');
        const { createProgress } = await import('../../util/progress.ts');
        const art = await openArtifact(s, prefix);
        const total = art.manifest.files.reduce((n, f) => n + f.size, 0);
        const bar = createProgress({ label: `verify ${art.prefix}`, total, unit: 'B' });
        let done = 0;
        const bad: string[] = [];
        for (const f of art.manifest.files) {
          try {
            await art.read(f.name);
          } catch (err) {
            bad.push(`${f.name}: ${(err as Error).message}`);
          }
          done += f.size;
          bar.update(done);
        }
        bar.stop();
        if (bad.length > 0) throw new FrcnnError(`${art.prefix}: ${bad.length} of ${art.manifest.files.length} files failed verification:\n  ${bad.join('\n  ')}`);
        process.stdout.write(`${art.prefix}: ${art.manifest.files.length} files, ${total} bytes OK (attempt ${art.manifest.attempt}, committed ${art.manifest.committedAt})\n`);
      });
    });

  store
    .command('cat')
    .description('write one object to stdout (checksum verified)')
    .argument('<key>', 'object key')
    .option('--store <url>', STORE_HELP)
    .action(async (key: string, flags: StoreFlags) => {
      await withStore(flags, async (s) => {
        process.stdout.write(await s.get(key));
      });
    });

  store
    .command('boxes')
    .description('summarise a committed proposals/detections artifact, or print one image\'s boxes')
    .argument('<prefix>', 'artifact prefix holding index.bin and its shards')
    .option('--store <url>', STORE_HELP)
    .option('--image <id>', "print this image's boxes (x1 y1 x2 y2 score [class])")
    .option('--json', 'print JSON')
    .action(async (prefix: string, flags: StoreFlags & { image?: string }) => {
      await withStore(flags, async (s) => {
        const { openArtifact } = await import('../../storage/artifact.ts');
        const { openBoxesFile } = await import('../../storage/formats/boxes-file.ts');
        const r = await openBoxesFile(await openArtifact(s, prefix));
        if (flags.image !== undefined) {
          const im = await r.get(flags.image);
          const rows = Array.from(im.scores, (score, i) => [...im.boxes.subarray(4 * i, 4 * i + 4), score, ...(im.classes ? [im.classes[i]] : [])]);
          process.stdout.write(flags.json ? `${JSON.stringify(rows)}\n` : rows.map((row) => row.join(' ')).join('\n') + (rows.length ? '\n' : ''));
          return;
        }
        const counts = r.imageIds.map((id) => r.count(id));
        const total = counts.reduce((a, b) => a + b, 0);
        const summary = { kind: r.kind, images: r.imageCount, boxes: total, minPerImage: Math.min(...counts), maxPerImage: Math.max(...counts) };
        process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `${summary.kind}: ${summary.images} images, ${summary.boxes} boxes (${summary.minPerImage}-${summary.maxPerImage} per image)\n`);
      });
    });

  store
    .command('gc')
    .description('delete every artifact under a root that is not kept (and abandoned attempts with it)')
    .argument('<root>', 'prefix to collect under, e.g. stages/')
    .option('--keep <prefix>', 'artifact prefix to keep (repeatable)', collect)
    .option('--dry-run', 'only print what would be deleted')
    .option('--store <url>', STORE_HELP)
    .action(async (root: string, flags: StoreFlags & { keep?: string[]; dryRun?: boolean }) => {
      await withStore(flags, async (s) => {
        const { gcArtifacts } = await import('../../storage/artifact.ts');
        const res = await gcArtifacts(s, root, flags.keep ?? [], { dryRun: flags.dryRun });
        for (const p of res.deleted) process.stdout.write(`${flags.dryRun ? 'would delete' : 'deleted'}  ${p}\n`);
        process.stdout.write(`${res.deleted.length} ${flags.dryRun ? 'to delete' : 'deleted'}, ${res.kept.length} kept\n`);
      });
    });
}
