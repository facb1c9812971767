import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// client-node 1.x is an ES module; the bundle (esbuild) and the tests (tsx) load it with import().
// 2.x needs Node 22.19+ and fails on import under Node 20 (VS Code 1.100's extension host): keep 1.4.0.
import type * as K8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { JsonObject, KubeObject } from '../engine/render/kube';
import {
  FIELD_MANAGER,
  isNamespaced,
  resourceOf,
  type ClusterApi,
  type ClusterTarget,
  type ObjectRef,
  type ReadOptions,
  type WriteOptions,
} from './clusterApi';
import { ClusterError, DEFAULT_RETRY, toClusterError, withRetry, type Operation, type RetryOptions } from './errors';

type ClientNode = typeof K8s;

let clientNode: Promise<ClientNode> | undefined;

/** Loads @kubernetes/client-node once (an ES module: loaded with import(), bundled by esbuild). */
export function loadClientNode(): Promise<ClientNode> {
  clientNode ??= import('@kubernetes/client-node');
  return clientNode;
}

export interface KubeconfigSource {
  /** An explicit kubeconfig (the `--kubeconfig` flag or the `consolidation.kubeconfig` setting). */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The kubeconfig files to read: the explicit one, else KUBECONFIG (a path list), else ~/.kube/config. */
export function kubeconfigFiles(source: KubeconfigSource = {}): string[] {
  const env = source.env ?? process.env;
  const home = source.home ?? os.homedir();
  const expand = (file: string) =>
    file === '~' ? home : file.startsWith('~/') || file.startsWith('~\\') ? path.join(home, file.slice(2)) : file;
  if (source.kubeconfig && source.kubeconfig.trim()) return [path.resolve(expand(source.kubeconfig.trim()))];
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f.trim());
  if (list.length) return list.map((f) => path.resolve(expand(f.trim())));
  return [path.join(home, '.kube', 'config')];
}

export interface ContextInfo {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
  server?: string;
}

export interface KubeconfigSummary {
  files: string[];
  contexts: ContextInfo[];
  current?: string;
}

async function loadKubeConfig(
  k8s: ClientNode,
  source: KubeconfigSource,
): Promise<{ kc: K8s.KubeConfig; files: string[] }> {
  const files = kubeconfigFiles(source);
  const existing = files.filter((f) => fs.existsSync(f));
  if (existing.length === 0) {
    throw new ClusterError(
      'config',
      `No kubeconfig found at ${files.join(', ')}. Set consolidation.kubeconfig, pass --kubeconfig, or set KUBECONFIG.`,
    );
  }
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromFile(existing[0]);
    for (const file of existing.slice(1)) {
      const other = new k8s.KubeConfig();
      other.loadFromFile(file);
      kc.mergeConfig(other, true);
    }
  } catch (error) {
    throw new ClusterError(
      'config',
      `Could not read the kubeconfig ${existing.join(', ')}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return { kc, files: existing };
}

/** The contexts of the kubeconfig (names, clusters, namespaces; never credentials). */
export async function readKubeconfig(source: KubeconfigSource = {}): Promise<KubeconfigSummary> {
  const k8s = await loadClientNode();
  const { kc, files } = await loadKubeConfig(k8s, source);
  const contexts = kc.getContexts().map((c) => ({
    name: c.name,
    cluster: c.cluster,
    user: c.user,
    namespace: c.namespace,
    server: kc.getCluster(c.cluster)?.server,
  }));
  return { files, contexts, current: kc.getCurrentContext() || undefined };
}

export interface ConnectOptions extends KubeconfigSource {
  /** The kubeconfig context (default: its current-context). */
  context?: string;
  /** The namespace for objects that name none (default: the context's, else `default`). */
  namespace?: string;
  /** How long one request may take before it counts as a timeout (default 30s). */
  requestTimeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /** Told about each retry of a transient failure (for progress output). */
  onRetry?: (message: string) => void;
}

/** A ClusterApi on the context a kubeconfig names, through @kubernetes/client-node. */
export async function connect(options: ConnectOptions = {}): Promise<KubeClusterApi> {
  const k8s = await loadClientNode();
  const { kc } = await loadKubeConfig(k8s, options);
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new ClusterError(
        'config',
        `The kubeconfig has no context "${options.context}" (contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        }).`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const contextName = kc.getCurrentContext();
  const context = contextName ? kc.getContextObject(contextName) : null;
  if (!context)
    throw new ClusterError(
      'config',
      'The kubeconfig has no current-context: choose a context (Select Context, or --context).',
    );
  const cluster = kc.getCluster(context.cluster);
  if (!cluster?.server)
    throw new ClusterError(
      'config',
      `Context "${context.name}" names cluster "${context.cluster}", which the kubeconfig does not define.`,
    );
  const target: ClusterTarget = {
    context: context.name,
    cluster: cluster.name,
    server: cluster.server,
    user: context.user,
    namespace: options.namespace || context.namespace || 'default',
  };
  return new KubeClusterApi(k8s, kc, target, options);
}

interface CallScope {
  signal?: AbortSignal;
}

export class KubeClusterApi implements ClusterApi {
  private readonly scope = new AsyncLocalStorage<CallScope>();
  private readonly objects: K8s.KubernetesObjectApi;
  private readonly apps: K8s.AppsV1Api;
  private readonly core: K8s.CoreV1Api;
  private readonly requestTimeoutMs: number;
  private readonly retry: Partial<RetryOptions>;

  constructor(
    private readonly k8s: ClientNode,
    kc: K8s.KubeConfig,
    readonly target: ClusterTarget,
    private readonly options: ConnectOptions,
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    const scope = this.scope;
    // Every request gets the caller's AbortSignal, combined with a per-request timeout.
    const configuration = k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(target.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (request: K8s.RequestContext) => {
            const signal = scope.getStore()?.signal;
            if (signal) request.setSignal(signal as never);
            return request;
          },
          post: async (response: K8s.ResponseContext) => response,
        },
      ],
    });
    this.objects = new k8s.KubernetesObjectApi(configuration);
    this.apps = new k8s.AppsV1Api(configuration);
    this.core = new k8s.CoreV1Api(configuration);
  }

  private async call<T>(op: Operation, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        if (signal?.aborted) throw toClusterError(undefined, op, { cancelled: true });
        const timeout = AbortSignal.timeout(this.requestTimeoutMs);
        const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
        try {
          return await this.scope.run({ signal: combined }, fn);
        } catch (error) {
          throw toClusterError(error, op, {
            server: this.target.server,
            context: this.target.context,
            requestTimeoutMs: this.requestTimeoutMs,
            cancelled: signal?.aborted,
            timedOut: timeout.aborted && !signal?.aborted,
          });
        }
      },
      {
        ...this.retry,
        signal,
        onRetry: (error, attempt, delay) => {
          this.options.onRetry?.(
            `${error.message} Retrying in ${Math.round(delay)}ms (attempt ${attempt + 1} of ${this.retry.attempts}).`,
          );
          this.retry.onRetry?.(error, attempt, delay);
        },
      },
    );
  }

  private op(
    verb: Operation['verb'],
    ref: { apiVersion: string; kind: string; namespace?: string; name?: string },
    subresource?: string,
  ): Operation {
    const { group, plural } = resourceOf(ref.apiVersion, ref.kind);
    return {
      verb,
      resource: subresource ? `${plural}/${subresource}` : plural,
      group,
      namespace: ref.namespace,
      name: ref.name,
      kind: ref.kind,
    };
  }

  private namespaced<T extends { namespace?: string }>(ref: T & { kind: string }): T {
    return isNamespaced(ref.kind) && !ref.namespace ? { ...ref, namespace: this.target.namespace } : ref;
  }

  async get(ref: ObjectRef, options: ReadOptions = {}): Promise<KubeObject | undefined> {
    const r = this.namespaced(ref);
    try {
      const object = await this.call(this.op('get', r), options.signal, () =>
        this.objects.read({
          apiVersion: r.apiVersion,
          kind: r.kind,
          metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) },
        }),
      );
      return plain(object) as KubeObject;
    } catch (error) {
      if (
        error instanceof ClusterError &&
        error.kind === 'not-found' &&
        error.status === 404 &&
        error.serverMessage !== 'the server could not find the requested resource'
      )
        return undefined;
      throw error;
    }
  }

  async list(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    options: ReadOptions & { labelSelector?: string } = {},
  ): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let continueToken: string | undefined;
    for (let page = 0; page < 100; page++) {
      const list = plain(
        await this.call(this.op('list', { apiVersion, kind, namespace }), options.signal, () =>
          this.objects.list(
            apiVersion,
            kind,
            namespace,
            undefined,
            undefined,
            undefined,
            undefined,
            options.labelSelector,
            500,
            continueToken,
          ),
        ),
      ) as { items?: JsonObject[]; metadata?: { continue?: string; _continue?: string } };
      for (const item of list.items ?? [])
        items.push({
          ...item,
          apiVersion: (item.apiVersion as string) ?? apiVersion,
          kind: (item.kind as string) ?? kind,
        } as KubeObject);
      continueToken = list.metadata?.continue ?? list.metadata?._continue;
      if (!continueToken) break;
    }
    return items;
  }

  async serverSideApply(object: KubeObject, options: WriteOptions & { force?: boolean } = {}): Promise<KubeObject> {
    const body = structuredClone(object);
    const ref = this.namespaced({
      apiVersion: body.apiVersion,
      kind: body.kind,
      namespace: body.metadata.namespace as string | undefined,
      name: String(body.metadata.name),
    });
    if (ref.namespace) body.metadata.namespace = ref.namespace;
    const result = await this.call(this.op('apply', ref), options.signal, () =>
      this.objects.patch(
        body as K8s.KubernetesObject,
        undefined,
        options.dryRun ? 'All' : undefined,
        FIELD_MANAGER,
        options.force ? true : undefined,
        this.k8s.PatchStrategy.ServerSideApply,
      ),
    );
    return plain(result) as KubeObject;
  }

  async patchScale(
    ref: ObjectRef,
    replicas: number,
    options: WriteOptions & { resourceVersion?: string } = {},
  ): Promise<{ replicas: number; resourceVersion: string }> {
    const r = this.namespaced(ref);
    const body = {
      ...(options.resourceVersion ? { metadata: { resourceVersion: options.resourceVersion } } : {}),
      spec: { replicas },
    };
    const param = {
      name: r.name,
      namespace: r.namespace!,
      body,
      fieldManager: FIELD_MANAGER,
      ...(options.dryRun ? { dryRun: 'All' } : {}),
    };
    const headers = this.k8s.setHeaderOptions('Content-Type', this.k8s.PatchStrategy.MergePatch);
    const scale = await this.call(this.op('patch', r, 'scale'), options.signal, () => {
      switch (r.kind) {
        case 'Deployment':
          return this.apps.patchNamespacedDeploymentScale(param, headers);
        case 'StatefulSet':
          return this.apps.patchNamespacedStatefulSetScale(param, headers);
        case 'ReplicaSet':
          return this.apps.patchNamespacedReplicaSetScale(param, headers);
        default:
          throw new ClusterError('bad-request', `${r.kind} has no scale subresource.`);
      }
    });
    return { replicas: scale.spec?.replicas ?? replicas, resourceVersion: scale.metadata?.resourceVersion ?? '' };
  }

  async patch(
    ref: ObjectRef,
    patch: JsonObject,
    options: WriteOptions & { type: 'merge' | 'strategic'; resourceVersion?: string },
  ): Promise<KubeObject> {
    const r = this.namespaced(ref);
    const body: JsonObject = structuredClone(patch);
    if (options.resourceVersion)
      body.metadata = {
        ...((body.metadata as JsonObject | undefined) ?? {}),
        resourceVersion: options.resourceVersion,
      };
    const param = {
      name: r.name,
      namespace: r.namespace!,
      body,
      fieldManager: FIELD_MANAGER,
      ...(options.dryRun ? { dryRun: 'All' } : {}),
    };
    const headers = this.k8s.setHeaderOptions(
      'Content-Type',
      options.type === 'merge' ? this.k8s.PatchStrategy.MergePatch : this.k8s.PatchStrategy.StrategicMergePatch,
    );
    const result = await this.call(this.op('patch', r), options.signal, async (): Promise<unknown> => {
      switch (r.kind) {
        case 'Deployment':
          return this.apps.patchNamespacedDeployment(param, headers);
        case 'StatefulSet':
          return this.apps.patchNamespacedStatefulSet(param, headers);
        case 'ReplicaSet':
          return this.apps.patchNamespacedReplicaSet(param, headers);
        case 'Service':
          return this.core.patchNamespacedService(param, headers);
        case 'ConfigMap':
          return this.core.patchNamespacedConfigMap(param, headers);
        default:
          // Other kinds: the generic client (its merge patches carry the object's apiVersion and kind).
          return this.objects.patch(
            {
              apiVersion: r.apiVersion,
              kind: r.kind,
              metadata: { name: r.name, namespace: r.namespace },
              ...body,
            } as K8s.KubernetesObject,
            undefined,
            options.dryRun ? 'All' : undefined,
            FIELD_MANAGER,
            undefined,
            options.type === 'merge' ? this.k8s.PatchStrategy.MergePatch : this.k8s.PatchStrategy.StrategicMergePatch,
          );
      }
    });
    const object = plain(result) as KubeObject;
    object.apiVersion ??= r.apiVersion;
    object.kind ??= r.kind;
    return object;
  }

  async delete(
    ref: ObjectRef,
    options: WriteOptions & { uid?: string; resourceVersion?: string } = {},
  ): Promise<boolean> {
    const r = this.namespaced(ref);
    const preconditions = {
      ...(options.uid ? { uid: options.uid } : {}),
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
    };
    try {
      await this.call(this.op('delete', r), options.signal, () =>
        this.objects.delete(
          {
            apiVersion: r.apiVersion,
            kind: r.kind,
            metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) },
          },
          undefined,
          options.dryRun ? 'All' : undefined,
          undefined,
          undefined,
          'Background',
          Object.keys(preconditions).length ? { preconditions } : undefined,
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ClusterError && error.kind === 'not-found' && error.status === 404) return false;
      throw error;
    }
  }
}

/** client-node's typed models (Date fields, classes) as plain JSON. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
