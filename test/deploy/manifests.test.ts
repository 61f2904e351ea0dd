/**
 * Renders deploy/k8s (base and each overlay) offline and checks it: every object valid
 * against the Kubernetes (and KEDA) schemas with no unknown fields; environment variables,
 * ports, probes, selectors, ConfigMap/Secret references, service addresses and the
 * autoscaling endpoint consistent with the code. When kubectl is installed, the renderer's
 * output must equal `kubectl kustomize` (up to the generated-name hash suffix).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { ENV } from '../../src/config/env.ts';
import { MemorySource } from '../../src/dashboard/memory-source.ts';
import { startDashboard, type DashboardServer } from '../../src/dashboard/server.ts';
import { validateObject } from './k8s-schema.ts';
import { kustomizeHash, renderKustomization, type K8sObject } from './kustomize-render.ts';

const ROOT = new URL('../../deploy/k8s/', import.meta.url).pathname;
const NAMESPACE = 'frcnn';
/** Secrets each overlay expects to be created out of band (documented in deploy/README.md). */
const EXTERNAL_SECRETS: Record<string, string[]> = {
  base: ['frcnn-auth', 'frcnn-s3'],
  'overlays/dev': [],
  'overlays/production': ['frcnn-auth', 'frcnn-s3', 'frcnn-tls', 'frcnn-worker-tls'],
};
/** Files frcnn reads from those external secrets: the keys the README tells users to create. */
const EXTERNAL_SECRET_KEYS: Record<string, string[]> = {
  'frcnn-auth': ['token'],
  'frcnn-s3': ['access-key', 'secret-key'],
  'frcnn-tls': ['tls.crt', 'tls.key', 'ca.crt'],
  'frcnn-worker-tls': ['tls.crt', 'tls.key', 'ca.crt'],
};
const TARGETS = Object.keys(EXTERNAL_SECRETS);
const FRCNN_COMMANDS = new Set(['coordinator', 'trainer', 'evaluator']);

type Obj = Record<string, unknown>;
type Container = {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: Obj }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
};
type Probe = { httpGet?: { path: string; port: number | string; scheme?: string } };
type PodSpec = {
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; effect?: string }[];
};

const rendered = new Map<string, K8sObject[]>(TARGETS.map((t) => [t, renderKustomization(ROOT + t)]));
let dashboard: DashboardServer;

before(async () => {
  // Probes and the autoscaler must hit routes the dashboard really serves.
  dashboard = await startDashboard(new MemorySource(), { port: 0, host: '127.0.0.1' });
});
after(() => dashboard.close());

function pods(objects: K8sObject[]): { owner: K8sObject; labels: Record<string, string>; spec: PodSpec }[] {
  return objects.flatMap((o) => {
    const t = (o.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } } | undefined)?.template;
    return t && ['Deployment', 'StatefulSet', 'Job'].includes(o.kind) ? [{ owner: o, labels: t.metadata?.labels ?? {}, spec: t.spec }] : [];
  });
}

const isFrcnnImage = (image: string) => /(^|\/)frcnn(-trainer-gpu)?(:|@|$)/.test(image);
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

function byName(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** A generated object's name before its hash suffix. */
function baseName(o: K8sObject): string {
  return o.metadata.name.replace(/-[a-z0-9]{10}$/, '');
}

function secretOrConfigMap(objects: K8sObject[], kind: 'Secret' | 'ConfigMap', name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

for (const target of TARGETS) {
  const objects = rendered.get(target)!;

  test(`${target}: every object is valid against the Kubernetes and KEDA schemas, with no unknown field`, async () => {
    const problems = (await Promise.all(objects.map(validateObject))).flat();
    assert.deepEqual(problems, []);
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    assert.equal(new Set(ids).size, ids.length, 'duplicate objects');
  });

  test(`${target}: one namespace for everything namespaced`, () => {
    assert.ok(byName(objects, 'Namespace', NAMESPACE), 'the Namespace object is part of the rendering');
    for (const o of objects) if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, NAMESPACE, `${o.kind}/${o.metadata.name}`);
  });

  test(`${target}: frcnn containers use only environment variables of src/config/env.ts`, () => {
    const known = new Set(Object.keys(ENV));
    const secretFiles = new Set(Object.entries(ENV).filter(([, v]) => 'secret' in v && v.secret).map(([k]) => `${k}_FILE`));
    for (const { owner, spec } of pods(objects)) {
      for (const c of spec.containers.filter((x) => isFrcnnImage(x.image))) {
        const where = `${owner.metadata.name}/${c.name}`;
        for (const e of c.env ?? []) {
          assert.ok(known.has(e.name) || secretFiles.has(e.name), `${where}: ${e.name} is not in src/config/env.ts`);
          // Secrets only through files: never a literal value, never a secretKeyRef into the environment.
          if (ENV[e.name as keyof typeof ENV] && 'secret' in ENV[e.name as keyof typeof ENV]) assert.fail(`${where}: secret ${e.name} set directly; use ${e.name}_FILE`);
        }
        for (const ef of c.envFrom ?? []) {
          assert.equal(ef.secretRef, undefined, `${where}: secrets come from files, not envFrom`);
          const cm = ef.configMapRef && secretOrConfigMap(objects, 'ConfigMap', ef.configMapRef.name);
          assert.ok(cm, `${where}: envFrom ConfigMap ${ef.configMapRef?.name} not rendered`);
          for (const key of Object.keys((cm.data as Record<string, string>) ?? {})) {
            assert.ok(known.has(key), `${where}: ConfigMap ${baseName(cm)} sets ${key}, which is not in src/config/env.ts`);
            assert.ok(!('secret' in ENV[key as keyof typeof ENV]), `${where}: secret ${key} in a ConfigMap`);
          }
        }
      }
    }
  });

  test(`${target}: containers run the frcnn CLI commands, ports are the configured defaults`, () => {
    const seen = new Set<string>();
    for (const { owner, spec } of pods(objects)) {
      for (const c of spec.containers.filter((x) => isFrcnnImage(x.image))) {
        const cmd = c.args?.[0] ?? '';
        assert.ok(FRCNN_COMMANDS.has(cmd), `${owner.metadata.name}: runs "${cmd}"`);
        seen.add(cmd);
        const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
        if (cmd === 'coordinator') {
          const port = (name: string) => c.ports?.find((p) => p.name === name)?.containerPort;
          assert.equal(port('grpc'), Number(ENV.FRCNN_GRPC_PORT.default));
          assert.equal(port('http'), Number(ENV.FRCNN_HTTP_PORT.default));
          assert.equal(env.FRCNN_GRPC_PORT ?? ENV.FRCNN_GRPC_PORT.default, String(port('grpc')));
          assert.equal(env.FRCNN_HTTP_PORT ?? ENV.FRCNN_HTTP_PORT.default, String(port('http')));
        } else {
          assert.equal(c.ports, undefined, `${owner.metadata.name}: workers serve no port`);
        }
      }
    }
    assert.deepEqual([...seen].sort(), ['coordinator', 'evaluator', 'trainer']);
  });

  test(`${target}: HTTP probes of frcnn containers hit routes the dashboard serves`, async () => {
    let probes = 0;
    for (const { owner, spec } of pods(objects)) {
      for (const c of spec.containers.filter((x) => isFrcnnImage(x.image))) {
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
          if (!probe?.httpGet) continue;
          probes += 1;
          const port = typeof probe.httpGet.port === 'number' ? probe.httpGet.port : c.ports?.find((p) => p.name === probe.httpGet!.port)?.containerPort;
          assert.equal(port, Number(ENV.FRCNN_HTTP_PORT.default), `${owner.metadata.name}: probe port`);
          const res = await fetch(`${dashboard.url}${probe.httpGet.path}`);
          assert.equal(res.status, 200, `${owner.metadata.name}: GET ${probe.httpGet.path}`);
        }
      }
    }
    assert.ok(probes >= 2, 'the coordinator has readiness and liveness probes');
  });

  test(`${target}: Service and PodDisruptionBudget selectors match pods; target ports exist`, () => {
    const all = pods(objects);
    for (const svc of objects.filter((o) => o.kind === 'Service')) {
      const spec = svc.spec as { selector: Record<string, string>; ports: { port: number; targetPort?: number | string }[] };
      const hits = all.filter((p) => matches(spec.selector, p.labels));
      assert.ok(hits.length > 0, `Service ${svc.metadata.name} selects no pod`);
      for (const p of spec.ports) {
        const t = p.targetPort ?? p.port;
        const ok = hits.some((h) => h.spec.containers.some((c) => c.ports?.some((cp) => cp.name === t || cp.containerPort === t)));
        assert.ok(ok, `Service ${svc.metadata.name} port ${p.port} → ${t}: no such container port`);
      }
    }
    for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
      const sel = (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      assert.ok(all.some((p) => matches(sel, p.labels)), `PodDisruptionBudget ${pdb.metadata.name} selects no pod`);
    }
    for (const w of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
      const spec = w.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } };
      assert.ok(matches(spec.selector.matchLabels, spec.template.metadata.labels), `${w.metadata.name}: selector does not match its template`);
    }
  });

  test(`${target}: network policies select pods, name their ports, and let every frcnn pod in`, () => {
    const all = pods(objects);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    assert.ok(policies.some((p) => p.metadata.name === 'frcnn-nats'), 'NATS is fenced');
    for (const np of policies) {
      type Rule = { from: { podSelector: { matchLabels: Record<string, string> } }[]; ports: { port: string | number }[] };
      const spec = np.spec as { podSelector: { matchLabels: Record<string, string> }; ingress: Rule[] };
      const targets = all.filter((p) => matches(spec.podSelector.matchLabels, p.labels));
      assert.ok(targets.length > 0, `NetworkPolicy ${np.metadata.name} selects no pod`);
      for (const rule of spec.ingress) {
        for (const port of rule.ports) {
          assert.ok(targets.some((t) => t.spec.containers.some((c) => c.ports?.some((cp) => cp.name === port.port || cp.containerPort === port.port))), `${np.metadata.name}: port ${port.port}`);
        }
      }
      // The coordinator, trainers and evaluators all talk to NATS and the object store.
      for (const p of all.filter((x) => x.spec.containers.some((c) => isFrcnnImage(c.image)))) {
        const admitted = spec.ingress.some((r) => r.from.some((f) => matches(f.podSelector.matchLabels, p.labels)));
        assert.ok(admitted, `${np.metadata.name} shuts out ${p.owner.metadata.name}`);
      }
    }
  });

  test(`${target}: ConfigMap and Secret references resolve, and secret files exist in their secret`, () => {
    const external = EXTERNAL_SECRETS[target];
    const secretKeys = (name: string): string[] | undefined => {
      const s = secretOrConfigMap(objects, 'Secret', name);
      if (s) return Object.keys((s.data as Record<string, string>) ?? {});
      return external.includes(name) ? EXTERNAL_SECRET_KEYS[name] : undefined;
    };
    for (const { owner, spec } of pods(objects)) {
      const where = owner.metadata.name;
      for (const v of spec.volumes ?? []) {
        if (v.secret) assert.ok(secretKeys(v.secret.secretName), `${where}: volume ${v.name} → Secret ${v.secret.secretName} missing`);
        if (v.configMap) assert.ok(secretOrConfigMap(objects, 'ConfigMap', v.configMap.name), `${where}: volume ${v.name} → ConfigMap ${v.configMap.name} missing`);
      }
      for (const c of spec.containers) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef as { name: string; key: string } | undefined;
          if (ref) assert.ok(secretKeys(ref.name)?.includes(ref.key), `${where}: ${e.name} → Secret ${ref.name} key ${ref.key} missing`);
          const cref = e.valueFrom?.configMapKeyRef as { name: string; key: string } | undefined;
          if (cref) assert.ok(Object.keys((secretOrConfigMap(objects, 'ConfigMap', cref.name)?.data as object) ?? {}).includes(cref.key), `${where}: ${e.name} → ConfigMap ${cref.name} key ${cref.key}`);
          // FRCNN_*_FILE must point into a mounted secret volume, at a key that secret has.
          if (e.name.endsWith('_FILE') && e.value) {
            const mount = c.volumeMounts?.find((m) => e.value!.startsWith(`${m.mountPath}/`));
            assert.ok(mount, `${where}: ${e.name}=${e.value} is not under a volume mount`);
            const vol = spec.volumes?.find((v) => v.name === mount.name);
            assert.ok(vol?.secret, `${where}: ${e.name} is not in a Secret volume`);
            const key = e.value.slice(mount.mountPath.length + 1);
            assert.ok(secretKeys(vol.secret.secretName)?.includes(key), `${where}: ${e.name}: Secret ${vol.secret.secretName} has no key ${key}`);
          }
        }
      }
    }
  });

  test(`${target}: addresses in the config point at rendered Services`, () => {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && baseName(o) === 'frcnn-config');
    assert.ok(cm);
    const data = cm.data as Record<string, string>;
    const servicePort = (host: string, port: number) => {
      const svc = byName(objects, 'Service', host.split('.')[0]);
      assert.ok(svc, `no Service ${host}`);
      if (host.includes('.')) assert.equal(host.split('.')[1], NAMESPACE, `${host}: namespace`);
      assert.ok((svc.spec as { ports: { port: number }[] }).ports.some((p) => p.port === port), `Service ${host} has no port ${port}`);
    };
    const [coordHost, coordPort] = data.FRCNN_COORDINATOR.split(':');
    servicePort(coordHost, Number(coordPort));
    assert.equal(Number(coordPort), Number(ENV.FRCNN_GRPC_PORT.default));
    for (const key of ['FRCNN_NATS_URL', 'FRCNN_STATE']) {
      const u = new URL(data[key]);
      assert.equal(u.protocol, 'nats:', key);
      servicePort(u.hostname, Number(u.port));
    }
    assert.match(data.FRCNN_STORE, /^s3:\/\/[a-z0-9.-]+\//);
    if (target === 'overlays/dev') {
      const [h, p] = data.FRCNN_S3_ENDPOINT.split(':');
      servicePort(h, Number(p));
      assert.equal(data.FRCNN_S3_USE_SSL, 'false');
    }
  });

  test(`${target}: trainers take one GPU on GPU nodes; KEDA scales them on the coordinator's endpoint`, async () => {
    const trainer = byName(objects, 'Deployment', 'frcnn-trainer');
    assert.ok(trainer);
    const spec = (trainer.spec as { template: { spec: PodSpec }; replicas?: number }).template.spec;
    assert.equal((trainer.spec as { replicas?: number }).replicas, undefined, 'replicas belong to the ScaledObject');
    const c = spec.containers[0];
    if (target !== 'overlays/dev') {
      assert.equal(c.resources?.limits?.['nvidia.com/gpu'], 1);
      assert.equal(c.resources?.requests?.['nvidia.com/gpu'], 1);
      assert.ok(spec.tolerations?.some((t) => t.key === 'nvidia.com/gpu' && t.effect === 'NoSchedule'));
      assert.ok(spec.nodeSelector && Object.keys(spec.nodeSelector).some((k) => k.startsWith('nvidia.com/')));
      assert.equal(c.env?.find((e) => e.name === 'FRCNN_BACKEND')?.value, 'tensorflow');
    } else {
      assert.equal(c.resources?.limits?.['nvidia.com/gpu'], undefined);
      assert.equal(c.env?.find((e) => e.name === 'FRCNN_BACKEND')?.value, 'wasm');
    }
    // The worker offers exactly the GPUs its pod gets.
    assert.equal(c.env?.find((e) => e.name === 'FRCNN_WORKER_GPUS')?.value, String(c.resources?.limits?.['nvidia.com/gpu'] ?? 0));
    const so = byName(objects, 'ScaledObject', 'frcnn-trainer');
    assert.ok(so);
    const sos = so.spec as { scaleTargetRef: { kind: string; name: string }; triggers: { type: string; metadata: Record<string, string> }[] };
    assert.equal(sos.scaleTargetRef.kind, 'Deployment');
    assert.equal(sos.scaleTargetRef.name, 'frcnn-trainer');
    const trig = sos.triggers[0];
    assert.equal(trig.type, 'metrics-api');
    const url = new URL(trig.metadata.url);
    assert.equal(url.hostname, `frcnn-coordinator.${NAMESPACE}.svc.cluster.local`);
    assert.equal(Number(url.port), Number(ENV.FRCNN_HTTP_PORT.default));
    const body = (await (await fetch(`${dashboard.url}${url.pathname}`)).json()) as Record<string, unknown>;
    assert.equal(typeof body[trig.metadata.valueLocation], 'number', `${url.pathname} has no ${trig.metadata.valueLocation}`);
  });

  if (target !== 'base') {
    test(`${target}: every image is pinned to a version`, () => {
      for (const { owner, spec } of pods(objects)) {
        for (const c of spec.containers) {
          const m = /^(.*?)(?::([^:/@]+))?(?:@sha256:[0-9a-f]{64})?$/.exec(c.image)!;
          const pinned = c.image.includes('@sha256:') || (m[2] !== undefined && m[2] !== 'latest');
          assert.ok(pinned, `${owner.metadata.name}/${c.name}: image ${c.image} is not pinned`);
        }
      }
    });
  }
}

test('production: TLS on the coordinator, mutual TLS for workers, HTTPS probes', () => {
  const objects = rendered.get('overlays/production')!;
  for (const name of ['frcnn-coordinator', 'frcnn-trainer', 'frcnn-evaluator']) {
    const d = byName(objects, 'Deployment', name)!;
    const c = (d.spec as { template: { spec: PodSpec } }).template.spec.containers[0];
    const env = new Set((c.env ?? []).map((e) => e.name));
    for (const v of ['FRCNN_TLS_CERT', 'FRCNN_TLS_KEY', 'FRCNN_TLS_CA']) assert.ok(env.has(v), `${name}: ${v}`);
    if (name === 'frcnn-coordinator') {
      assert.equal(c.readinessProbe?.httpGet?.scheme, 'HTTPS');
      assert.equal(c.livenessProbe?.httpGet?.scheme, 'HTTPS');
    }
  }
});

test('generated names carry a content hash: equal data, equal name; changed data, new name', () => {
  const cm = (data: Record<string, string>): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data });
  assert.equal(kustomizeHash(cm({ a: 'b' })), kustomizeHash(cm({ a: 'b' })));
  assert.notEqual(kustomizeHash(cm({ a: 'b' })), kustomizeHash(cm({ a: 'c' })));
  assert.match(kustomizeHash(cm({ a: 'b' })), /^[2-9b-dfghkmt]{10}$/);
  // The dev and production configs differ, so their names do.
  const name = (t: string) => rendered.get(t)!.find((o) => o.kind === 'ConfigMap' && baseName(o) === 'frcnn-config')!.metadata.name;
  assert.notEqual(name('overlays/dev'), name('overlays/production'));
});

function kubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Replaces hashed generated names by `<base>-#` everywhere in the tree, to compare renderings. */
function normalizeHashes(objects: K8sObject[]): Map<string, unknown> {
  const renames = new Map<string, string>();
  for (const o of objects) if (o.kind === 'ConfigMap' || o.kind === 'Secret') renames.set(o.metadata.name, `${baseName(o)}-#`);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return renames.get(v) ?? v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return new Map(objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${renames.get(o.metadata.name) ?? o.metadata.name}`, walk(o)]));
}

test('the offline renderer agrees with kubectl kustomize', { skip: kubectl() ? false : 'kubectl not installed: the offline renderer is used alone' }, () => {
  for (const target of TARGETS) {
    const out = execFileSync('kubectl', ['kustomize', ROOT + target], { encoding: 'utf8' });
    const theirs = normalizeHashes(parseAllDocuments(out).map((d) => d.toJSON() as K8sObject));
    const mine = normalizeHashes(rendered.get(target)!);
    assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort(), target);
    for (const [k, v] of mine) assert.deepEqual(v, theirs.get(k), `${target}: ${k}`);
  }
});
