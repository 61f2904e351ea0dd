/**
 * Parse-level checks of the images (no Docker engine here to build them): base images and
 * versions pinned, the GPU image on the CUDA 11.2 / cuDNN 8.1 userspace that
 * tfjs-node-gpu 4.x needs and at the tfjs version the code is tested with, non-root users,
 * health checks, copied paths that exist, and commands of the frcnn CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ENV } from '../../src/config/env.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FRCNN_COMMANDS = ['coordinator', 'trainer', 'evaluator'];

interface Instruction {
  op: string;
  args: string;
  line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i += 1;
      if (/^\s*#/.test(lines[i])) continue;
      line = `${line.slice(0, -1)} ${lines[i].trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    assert.ok(m, `line ${start + 1}: not an instruction: ${line}`);
    out.push({ op: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 });
  }
  return out;
}

interface Stage {
  image: string;
  name?: string;
  body: Instruction[];
}

function stages(ins: Instruction[]): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const out: Stage[] = [];
  for (const i of ins) {
    if (i.op === 'ARG' && out.length === 0) {
      const [k, v] = i.args.split('=');
      if (v !== undefined) args[k] = v;
    } else if (i.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args)!;
      const image = m[1].replace(/^\$\{(\w+)\}$/, (_, k: string) => args[k] ?? `<unset ${k}>`);
      out.push({ image, name: m[2], body: [] });
    } else out.at(-1)?.body.push(i);
  }
  return { args, stages: out };
}

function execForm(args: string): string[] {
  const v = JSON.parse(args) as unknown;
  assert.ok(Array.isArray(v) && v.every((x) => typeof x === 'string'), `not an exec-form list: ${args}`);
  return v as string[];
}

function isPinned(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const tag = /:([^/:@]+)$/.exec(image)?.[1];
  // A version tag carries digits (20.20.2-bookworm-slim, 11.2.2-cudnn8-runtime-ubuntu20.04); "latest" or none is not pinned.
  return tag !== undefined && tag !== 'latest' && /\d+\.\d+/.test(tag);
}

const packageJson = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { engines: { node: string } };
const tfjsCoreVersion = (createRequire(import.meta.url)('@tensorflow/tfjs-core/package.json') as { version: string }).version;

for (const file of ['deploy/docker/Dockerfile', 'deploy/docker/trainer-gpu.Dockerfile']) {
  const text = readFileSync(ROOT + file, 'utf8');
  const ins = parseDockerfile(text);
  const { args, stages: st } = stages(ins);
  const final = st.at(-1)!;
  const names = new Set(st.map((s) => s.name).filter(Boolean));

  test(`${file}: base images pinned; Node is the project's major version`, () => {
    for (const s of st) assert.ok(names.has(s.image) || isPinned(s.image), `FROM ${s.image} is not pinned to a version`);
    const node = args.NODE_IMAGE;
    assert.ok(node, 'NODE_IMAGE is an ARG with a default');
    const major = /^node:(\d+)\.\d+\.\d+-/.exec(node)?.[1];
    assert.equal(major, /\d+/.exec(packageJson.engines.node)?.[0], `${node} vs engines.node ${packageJson.engines.node}`);
    assert.equal(major, process.versions.node.split('.')[0], 'the image runs the Node major the tests run on');
  });

  test(`${file}: installs from the lock file, runs as non-root, has a health check`, () => {
    const runs = st.flatMap((s) => s.body.filter((i) => i.op === 'RUN').map((i) => i.args));
    assert.ok(runs.some((r) => /\bnpm ci\b/.test(r)), 'npm ci (lock file)');
    const user = final.body.filter((i) => i.op === 'USER').at(-1)?.args;
    assert.ok(user, 'the final stage sets USER');
    assert.ok(!/^(root|0)(:|$)/.test(user), `USER ${user}`);
    assert.ok(final.body.some((i) => i.op === 'HEALTHCHECK' && /\bCMD\b/.test(i.args)), 'HEALTHCHECK');
  });

  test(`${file}: entry point is the frcnn CLI running one of its commands; copied paths exist`, () => {
    const entry = execForm(final.body.filter((i) => i.op === 'ENTRYPOINT').at(-1)!.args);
    assert.deepEqual(entry, ['node', 'bin/frcnn.js']);
    assert.ok(existsSync(`${ROOT}bin/frcnn.js`));
    const cmd = execForm(final.body.filter((i) => i.op === 'CMD').at(-1)!.args);
    assert.ok(FRCNN_COMMANDS.includes(cmd[0]), `CMD ${cmd[0]}`);
    for (const s of st) {
      for (const c of s.body.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
        const parts = c.args.split(/\s+/);
        for (const src of parts.slice(0, -1)) assert.ok(existsSync(ROOT + src), `line ${c.line}: COPY ${src}: not in the repository`);
      }
    }
    const ignore = readFileSync(`${ROOT}${file}.dockerignore`, 'utf8');
    assert.match(ignore, /^\*$/m, 'the build context sends only what the image copies');
  });

  test(`${file}: FRCNN_* variables set in the image are in src/config/env.ts`, () => {
    const envs = st.flatMap((s) => s.body.filter((i) => i.op === 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=/g)].map((m) => m[1])));
    for (const e of envs.filter((x) => x.startsWith('FRCNN_'))) assert.ok(e in ENV, `${e} is not in src/config/env.ts`);
  });
}

test('GPU trainer: CUDA 11.2 + cuDNN 8.1 base, tfjs-node-gpu at the tested tfjs version, tensorflow backend', () => {
  const ins = parseDockerfile(readFileSync(`${ROOT}deploy/docker/trainer-gpu.Dockerfile`, 'utf8'));
  const { args, stages: st } = stages(ins);
  assert.equal(args.CUDA_IMAGE, 'nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04');
  assert.equal(st.at(-1)!.image, args.CUDA_IMAGE, 'the runtime stage is the CUDA image');
  assert.equal(args.TFJS_NODE_GPU_VERSION, tfjsCoreVersion, 'tfjs-node-gpu must match @tensorflow/tfjs-core');
  const runs = st.flatMap((s) => s.body.filter((i) => i.op === 'RUN').map((i) => i.args)).join('\n');
  assert.match(runs, /npm install [^\n]*@tensorflow\/tfjs-node-gpu@\$\{TFJS_NODE_GPU_VERSION\}/);
  const env = st.at(-1)!.body.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
  assert.match(env, /\bFRCNN_BACKEND=tensorflow\b/);
  assert.match(ENV.FRCNN_BACKEND.description, /\btensorflow\b/);
});

test('the commands the images and manifests run are registered in the frcnn CLI', async (t) => {
  const { buildProgram } = await import('../../src/cli/main.ts');
  const registered = new Set(buildProgram().commands.map((c) => c.name()));
  const missing = FRCNN_COMMANDS.filter((c) => !registered.has(c));
  // The worker and coordinator commands come with src/coordinator (another part of the
  // project); until they land this is reported as a TODO rather than hidden.
  if (missing.length) t.todo(`not yet registered: ${missing.join(', ')}`);
  assert.deepEqual(missing, []);
});
