/**
 * Offline validation of rendered objects against the Kubernetes OpenAPI schemas shipped by
 * `kubernetes-models` (and `@kubernetes-models/keda` for KEDA's ScaledObject): types,
 * enums and required fields from the schema's compiled validators, plus a strict check for
 * unknown fields (the schemas allow them; the API server drops them silently, which hides
 * typos such as `readinesProbe`). The strict check watches which properties the validator
 * reads: a field of an object whose known properties were read, but that was never read
 * itself, is not in the schema.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { K8sObject } from './kustomize-render.ts';

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; keyword: string; params: unknown }[] | null };

/** Compiled schema validator per apiVersion/kind: the kinds deploy/k8s uses. */
const SCHEMAS: Record<string, [pkg: string, schema: string]> = {
  'v1/Namespace': ['kubernetes-models', 'IoK8sApiCoreV1Namespace'],
  'v1/ServiceAccount': ['kubernetes-models', 'IoK8sApiCoreV1ServiceAccount'],
  'v1/Service': ['kubernetes-models', 'IoK8sApiCoreV1Service'],
  'v1/ConfigMap': ['kubernetes-models', 'IoK8sApiCoreV1ConfigMap'],
  'v1/Secret': ['kubernetes-models', 'IoK8sApiCoreV1Secret'],
  'apps/v1/Deployment': ['kubernetes-models', 'IoK8sApiAppsV1Deployment'],
  'apps/v1/StatefulSet': ['kubernetes-models', 'IoK8sApiAppsV1StatefulSet'],
  'batch/v1/Job': ['kubernetes-models', 'IoK8sApiBatchV1Job'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models', 'IoK8sApiPolicyV1PodDisruptionBudget'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models', 'IoK8sApiNetworkingV1NetworkPolicy'],
  'rbac.authorization.k8s.io/v1/Role': ['kubernetes-models', 'IoK8sApiRbacV1Role'],
  'rbac.authorization.k8s.io/v1/RoleBinding': ['kubernetes-models', 'IoK8sApiRbacV1RoleBinding'],
  'keda.sh/v1alpha1/ScaledObject': ['@kubernetes-models/keda', 'ComGithubKedacoreKedaV2ApisKedaV1alpha1ScaledObject'],
};

const require = createRequire(import.meta.url);

async function loadValidator(apiVersion: string, kind: string): Promise<Validate> {
  const entry = SCHEMAS[`${apiVersion}/${kind}`];
  if (!entry) throw new Error(`no schema for ${apiVersion} ${kind}: add it to test/deploy/k8s-schema.ts`);
  // Loaded by file: @kubernetes-models/keda does not export its _schemas directory.
  const dir = dirname(require.resolve(`${entry[0]}/package.json`));
  return ((await import(pathToFileURL(join(dir, '_schemas', `${entry[1]}.js`)).href)) as { validate: Validate }).validate;
}

interface Reads {
  read: Set<string>;
  enumerated: boolean;
}

/** Wraps `value` so that every property read and key enumeration is recorded per object. */
function recorder(value: object): { proxy: object; reads: Map<object, Reads> } {
  const reads = new Map<object, Reads>();
  const proxies = new WeakMap<object, object>();
  const wrap = (target: object): object => {
    const cached = proxies.get(target);
    if (cached) return cached;
    const rec: Reads = { read: new Set(), enumerated: false };
    reads.set(target, rec);
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === 'string') rec.read.add(key);
        const v = Reflect.get(t, key, receiver);
        return typeof v === 'object' && v !== null ? wrap(v) : v;
      },
      has(t, key) {
        if (typeof key === 'string') rec.read.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        rec.enumerated = true;
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  return { proxy: wrap(value), reads };
}

/** Paths (JSON pointers) of fields the schema does not know. */
function unknownFields(root: object, reads: Map<object, Reads>): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}/${i}`));
      return;
    }
    const rec = reads.get(v);
    // Never looked into (free-form by schema) or enumerated (a map): every key is acceptable.
    const strict = rec !== undefined && !rec.enumerated && rec.read.size > 0;
    for (const [k, child] of Object.entries(v)) {
      if (strict && !rec.read.has(k)) out.push(`${path}/${k}`);
      walk(child, `${path}/${k}`);
    }
  };
  walk(root, '');
  return out;
}

/** Problems with one object: schema errors and unknown fields, each as "kind/name: pointer message". */
export async function validateObject(obj: K8sObject): Promise<string[]> {
  const validate = await loadValidator(obj.apiVersion, obj.kind);
  const { proxy, reads } = recorder(obj);
  const ok = validate(proxy);
  const id = `${obj.kind}/${obj.metadata.name}`;
  const problems = ok ? [] : (validate.errors ?? []).map((e) => `${id}: ${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  for (const p of unknownFields(obj, reads)) problems.push(`${id}: ${p} is not a field of ${obj.apiVersion} ${obj.kind}`);
  return problems;
}
