import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else out.push(p);
  }
  return out.sort();
}

test('src/generated matches the .proto files (run proto/generate.sh after editing them)', async () => {
  const out = await mkdtemp(join(tmpdir(), 'frcnn-proto-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js'),
        ...['--keepCase', '--longs', 'String', '--enums', 'String', '--defaults', '--oneofs', '--grpcLib', '@grpc/grpc-js', '--importFileExtension', '.ts'],
        // Relative include dir: the generated headers name the .proto path as given.
        ...['-I', 'proto', '-O', out, 'frcnn/v1/sweep.proto', 'frcnn/v1/worker.proto'],
      ],
      { encoding: 'utf8', cwd: root },
    );
    assert.equal(r.status, 0, r.stderr);
    const fresh = await files(out);
    const committed = await files(join(root, 'src/generated'));
    assert.deepEqual(fresh.map((f) => relative(out, f)), committed.map((f) => relative(join(root, 'src/generated'), f)));
    for (const f of fresh) {
      assert.equal(await readFile(f, 'utf8'), await readFile(join(root, 'src/generated', relative(out, f)), 'utf8'), relative(out, f));
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
