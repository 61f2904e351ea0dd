/**
 * A small kustomize renderer for the subset of kustomization features deploy/k8s uses, so the
 * manifest test runs offline without a kustomize binary. When `kubectl` is installed, the
 * test checks this renderer's output equals `kubectl kustomize` object for object.
 *
 * Supported (anything else in a kustomization.yaml is an error, not silently ignored):
 * - `resources`: YAML files (multi-document) and directories holding a kustomization.yaml
 * - `namespace`: set on every namespaced object of that level
 * - `labels: [{pairs, includeTemplates}]`: metadata labels, and pod/volume-claim templates
 *   when includeTemplates (no includeSelectors)
 * - `images: [{name, newName, newTag, digest}]` on containers and initContainers
 * - `replicas: [{name, count}]`
 * - `configMapGenerator` / `secretGenerator`: literals, files (`key=path` or path),
 *   behavior create | merge | replace; names get a content-hash suffix (see kustomizeHash),
 *   and references from pod specs (env, envFrom, volumes, projected volumes) follow it
 * - `patches: [{path | patch, target: {kind, name}}]`: a YAML list is a JSON 6902 patch
 *   (add, replace, remove); an object is a strategic merge patch: containers,
 *   initContainers, volumes, env and imagePullSecrets merged by name, ports by containerPort,
 *   volumeMounts by mountPath (Kubernetes' patch merge keys), other lists replaced
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface Generated {
  /** Name before the hash suffix, used by references. */
  baseName: string;
}

interface Rendered {
  objects: K8sObject[];
  generated: Map<K8sObject, Generated>;
}

const KUSTOMIZATION_FIELDS = new Set([
  'apiVersion', 'kind', 'namespace', 'labels', 'resources', 'images', 'replicas', 'configMapGenerator', 'secretGenerator', 'patches',
]);

/** Kinds without a namespace (those we may meet). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition', 'PriorityClass',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ClusterTriggerAuthentication',
]);

/** Kinds whose `spec.template` is a pod template (and `spec.jobTemplate.spec.template` for CronJob). */
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** Strategic-merge keys of the lists we patch; other lists are replaced by the patch. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
};

export class RenderError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'RenderError';
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readYamlDocs(file: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length) throw new RenderError(file, doc.errors[0].message);
    const v = doc.toJSON() as unknown;
    if (v === null || v === undefined) continue;
    if (!isObject(v) || typeof v.kind !== 'string' || typeof v.apiVersion !== 'string' || !isObject(v.metadata) || typeof v.metadata.name !== 'string') {
      throw new RenderError(file, 'every document needs apiVersion, kind and metadata.name');
    }
    out.push(v as unknown as K8sObject);
  }
  return out;
}

/**
 * Content-hash name suffix in kustomize's style (10 characters, hex with 0 1 3 a e mapped to
 * g h k m t so no words form) over kind, name, type and data: any change of the data renames
 * the object and rolls the pods that mount it. Not byte-identical to kustomize's suffix,
 * whose exact encoding we do not reproduce; the comparison with kubectl ignores suffixes.
 */
export function kustomizeHash(obj: K8sObject): string {
  const m: Record<string, unknown> =
    obj.kind === 'Secret'
      ? { data: obj.data ?? {}, kind: 'Secret', name: obj.metadata.name, type: obj.type ?? '' }
      : { data: obj.data ?? {}, kind: 'ConfigMap', name: obj.metadata.name };
  // Go's encoding/json sorts map keys and escapes <, > and & as \u003c, \u003e, \u0026.
  const json = stableJson(m).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  const hex = createHash('sha256').update(json).digest('hex').slice(0, 10);
  return hex.replace(/[013ae]/g, (c) => ({ '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' })[c]!);
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function podSpecs(obj: K8sObject): JsonObject[] {
  const spec = obj.spec as JsonObject | undefined;
  if (!spec) return [];
  if (WORKLOADS.has(obj.kind) && isObject(spec.template) && isObject(spec.template.spec)) return [spec.template.spec];
  if (obj.kind === 'CronJob' && isObject(spec.jobTemplate)) {
    const js = spec.jobTemplate.spec;
    if (isObject(js) && isObject(js.template) && isObject(js.template.spec)) return [js.template.spec];
  }
  if (obj.kind === 'Pod') return [spec];
  return [];
}

function containersOf(pod: JsonObject): JsonObject[] {
  return [...((pod.containers as JsonObject[] | undefined) ?? []), ...((pod.initContainers as JsonObject[] | undefined) ?? [])];
}

function generate(dir: string, kind: 'ConfigMap' | 'Secret', spec: JsonObject): K8sObject {
  const where = `${dir}/kustomization.yaml ${kind === 'Secret' ? 'secretGenerator' : 'configMapGenerator'} ${String(spec.name)}`;
  for (const k of Object.keys(spec)) if (!['name', 'literals', 'files', 'behavior'].includes(k)) throw new RenderError(where, `unsupported field ${k}`);
  const data: Record<string, string> = {};
  for (const lit of (spec.literals as string[] | undefined) ?? []) {
    const i = lit.indexOf('=');
    if (i <= 0) throw new RenderError(where, `literal ${JSON.stringify(lit)} is not KEY=VALUE`);
    data[lit.slice(0, i)] = lit.slice(i + 1);
  }
  for (const f of (spec.files as string[] | undefined) ?? []) {
    const i = f.indexOf('=');
    const [key, path] = i > 0 ? [f.slice(0, i), f.slice(i + 1)] : [basename(f), f];
    data[key] = readFileSync(join(dir, path), 'utf8');
  }
  const encoded = kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) : data;
  const obj: K8sObject = { apiVersion: 'v1', kind, metadata: { name: String(spec.name) }, data: encoded };
  if (kind === 'Secret') obj.type = 'Opaque';
  return obj;
}

/** Strategic merge of `patch` into `base` (both plain JSON); returns a new value. */
export function strategicMerge(base: Json, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(base)) return structuredClone(patch);
    // Patch items first (merged with the matching base item), then untouched base items: kustomize's order.
    const out: Json[] = [];
    const used = new Set<number>();
    for (const p of patch) {
      const i = isObject(p) ? base.findIndex((b) => isObject(b) && b[key] === p[key]) : -1;
      if (i >= 0) {
        used.add(i);
        out.push(strategicMerge(base[i], p));
      } else out.push(structuredClone(p));
    }
    base.forEach((b, i) => (used.has(i) ? undefined : out.push(structuredClone(b))));
    return out;
  }
  if (isObject(patch) && isObject(base)) {
    const out: JsonObject = structuredClone(base);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in out ? strategicMerge(out[k], v, k) : structuredClone(v);
    }
    return out;
  }
  return structuredClone(patch);
}

function pointer(path: string, where: string): string[] {
  if (!path.startsWith('/')) throw new RenderError(where, `JSON pointer ${path} must start with /`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** JSON 6902 add / replace / remove. */
export function jsonPatch(doc: JsonObject, ops: JsonObject[], where: string): void {
  for (const op of ops) {
    const parts = pointer(String(op.path), where);
    const last = parts.pop()!;
    let parent: Json = doc;
    for (const p of parts) {
      parent = Array.isArray(parent) ? parent[Number(p)] : isObject(parent) ? parent[p] : null;
      if (parent === undefined || parent === null) throw new RenderError(where, `path ${String(op.path)} does not exist`);
    }
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (!(i >= 0 && i <= parent.length)) throw new RenderError(where, `index ${last} out of range in ${String(op.path)}`);
      if (op.op === 'add') parent.splice(i, 0, structuredClone(op.value));
      else if (op.op === 'replace' && i < parent.length) parent[i] = structuredClone(op.value);
      else if (op.op === 'remove' && i < parent.length) parent.splice(i, 1);
      else throw new RenderError(where, `cannot ${String(op.op)} ${String(op.path)}`);
    } else if (isObject(parent)) {
      if (op.op === 'add') parent[last] = structuredClone(op.value);
      else if ((op.op === 'replace' || op.op === 'remove') && !(last in parent)) throw new RenderError(where, `path ${String(op.path)} does not exist`);
      else if (op.op === 'replace') parent[last] = structuredClone(op.value);
      else if (op.op === 'remove') delete parent[last];
      else throw new RenderError(where, `unsupported op ${String(op.op)}`);
    } else throw new RenderError(where, `path ${String(op.path)} does not exist`);
  }
}

function setImage(image: string, rules: JsonObject[]): string {
  const m = /^(.*?)(?::([^:/@]+))?(?:@(sha256:[0-9a-f]+))?$/.exec(image)!;
  const name = m[1];
  for (const r of rules) {
    if (r.name !== name) continue;
    const newName = typeof r.newName === 'string' ? r.newName : name;
    if (typeof r.digest === 'string') return `${newName}@${r.digest}`;
    const tag = typeof r.newTag === 'string' ? r.newTag : m[2];
    return `${newName}${tag ? `:${tag}` : ''}${m[3] ? `@${m[3]}` : ''}`;
  }
  return image;
}

function renderDir(dir: string): Rendered {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new RenderError(dir, 'no kustomization.yaml');
  const k = parseYaml(readFileSync(file, 'utf8')) as JsonObject;
  for (const key of Object.keys(k)) if (!KUSTOMIZATION_FIELDS.has(key)) throw new RenderError(file, `field ${key} is outside the supported subset`);

  const objects: K8sObject[] = [];
  const generated = new Map<K8sObject, Generated>();
  for (const r of (k.resources as string[] | undefined) ?? []) {
    const p = resolve(dir, r);
    if (!existsSync(p)) throw new RenderError(file, `resource ${r} does not exist`);
    if (statSync(p).isDirectory()) {
      const sub = renderDir(p);
      objects.push(...sub.objects);
      for (const [o, g] of sub.generated) generated.set(o, g);
    } else objects.push(...readYamlDocs(p));
  }

  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    for (const spec of (k[field] as JsonObject[] | undefined) ?? []) {
      const obj = generate(dir, kind, spec);
      const behavior = (spec.behavior as string | undefined) ?? 'create';
      const existing = objects.find((o) => o.kind === kind && generated.get(o)?.baseName === obj.metadata.name);
      if (behavior === 'create') {
        if (existing) throw new RenderError(file, `${kind} ${obj.metadata.name} already generated; use behavior merge or replace`);
        objects.push(obj);
        generated.set(obj, { baseName: obj.metadata.name });
      } else if (behavior === 'merge' || behavior === 'replace') {
        if (!existing) throw new RenderError(file, `${kind} ${obj.metadata.name}: nothing to ${behavior}`);
        existing.data = behavior === 'merge' ? { ...(existing.data as object), ...(obj.data as object) } : obj.data;
      } else throw new RenderError(file, `unknown generator behavior ${behavior}`);
    }
  }

  for (const p of (k.patches as JsonObject[] | undefined) ?? []) {
    const where = `${file} patch ${typeof p.path === 'string' ? p.path : '(inline)'}`;
    const text = typeof p.path === 'string' ? readFileSync(join(dir, p.path), 'utf8') : String(p.patch);
    const body = parseYaml(text) as Json;
    const target = p.target as JsonObject | undefined;
    const matches = (o: K8sObject, kind: unknown, name: unknown) => (!kind || o.kind === kind) && (!name || o.metadata.name === name);
    if (Array.isArray(body)) {
      if (!target) throw new RenderError(where, 'a JSON 6902 patch needs a target');
      const hits = objects.filter((o) => matches(o, target.kind, target.name));
      if (hits.length === 0) throw new RenderError(where, 'target matches no object');
      for (const o of hits) jsonPatch(o as unknown as JsonObject, body as JsonObject[], where);
    } else if (isObject(body)) {
      const meta = body.metadata as JsonObject | undefined;
      const hits = objects.filter((o) => (target ? matches(o, target.kind, target.name) : matches(o, body.kind, meta?.name)));
      if (hits.length === 0) throw new RenderError(where, 'patch matches no object');
      for (const o of hits) {
        const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = body;
        const merged = strategicMerge(o as unknown as JsonObject, rest) as JsonObject;
        for (const key of Object.keys(o)) if (!(key in merged)) delete (o as Record<string, unknown>)[key];
        Object.assign(o, merged);
      }
    } else throw new RenderError(where, 'a patch is a YAML object (strategic merge) or list (JSON 6902)');
  }

  for (const r of (k.replicas as JsonObject[] | undefined) ?? []) {
    const hits = objects.filter((o) => o.metadata.name === r.name && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(o.kind));
    if (hits.length === 0) throw new RenderError(file, `replicas: no workload ${String(r.name)}`);
    for (const o of hits) (o.spec as JsonObject).replicas = r.count as number;
  }

  const images = (k.images as JsonObject[] | undefined) ?? [];
  if (images.length) for (const o of objects) for (const pod of podSpecs(o)) for (const c of containersOf(pod)) c.image = setImage(String(c.image), images);

  for (const l of (k.labels as JsonObject[] | undefined) ?? []) {
    for (const key of Object.keys(l)) if (!['pairs', 'includeTemplates'].includes(key)) throw new RenderError(file, `labels.${key} is outside the supported subset`);
    const pairs = l.pairs as Record<string, string>;
    for (const o of objects) {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), ...pairs };
      if (!l.includeTemplates) continue;
      const spec = o.spec as JsonObject | undefined;
      if (WORKLOADS.has(o.kind) && spec && isObject(spec.template)) {
        const meta = ((spec.template.metadata as JsonObject | undefined) ??= {});
        meta.labels = { ...((meta.labels as JsonObject | undefined) ?? {}), ...pairs };
      }
      if (o.kind === 'StatefulSet' && spec && Array.isArray(spec.volumeClaimTemplates)) {
        for (const t of spec.volumeClaimTemplates as JsonObject[]) {
          const meta = ((t.metadata as JsonObject | undefined) ??= {});
          meta.labels = { ...((meta.labels as JsonObject | undefined) ?? {}), ...pairs };
        }
      }
    }
  }

  if (typeof k.namespace === 'string') for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  return { objects, generated };
}

function renameRefs(pod: JsonObject, configMaps: Map<string, string>, secrets: Map<string, string>): void {
  const cm = (o: JsonObject | undefined, field = 'name') => {
    if (o && typeof o[field] === 'string' && configMaps.has(o[field] as string)) o[field] = configMaps.get(o[field] as string)!;
  };
  const sec = (o: JsonObject | undefined, field = 'name') => {
    if (o && typeof o[field] === 'string' && secrets.has(o[field] as string)) o[field] = secrets.get(o[field] as string)!;
  };
  for (const v of (pod.volumes as JsonObject[] | undefined) ?? []) {
    cm(v.configMap as JsonObject | undefined);
    sec(v.secret as JsonObject | undefined, 'secretName');
    for (const s of ((v.projected as JsonObject | undefined)?.sources as JsonObject[] | undefined) ?? []) {
      cm(s.configMap as JsonObject | undefined);
      sec(s.secret as JsonObject | undefined);
    }
  }
  for (const c of containersOf(pod)) {
    for (const e of (c.env as JsonObject[] | undefined) ?? []) {
      const from = e.valueFrom as JsonObject | undefined;
      cm(from?.configMapKeyRef as JsonObject | undefined);
      sec(from?.secretKeyRef as JsonObject | undefined);
    }
    for (const e of (c.envFrom as JsonObject[] | undefined) ?? []) {
      cm(e.configMapRef as JsonObject | undefined);
      sec(e.secretRef as JsonObject | undefined);
    }
  }
}

/** Renders the kustomization in `dir` (a base or an overlay) to its objects. */
export function renderKustomization(dir: string): K8sObject[] {
  const { objects, generated } = renderDir(resolve(dir));
  const configMaps = new Map<string, string>();
  const secrets = new Map<string, string>();
  for (const [o, g] of generated) {
    const hashed = `${g.baseName}-${kustomizeHash(o)}`;
    (o.kind === 'Secret' ? secrets : configMaps).set(g.baseName, hashed);
    o.metadata.name = hashed;
  }
  for (const o of objects) for (const pod of podSpecs(o)) renameRefs(pod, configMaps, secrets);
  return objects;
}
