// A Kubernetes API server for tests: loopback HTTP that behaves like the real one for what this
// project uses (apps/v1 Deployments and StatefulSets with their scale subresource, v1 Services,
// ConfigMaps, Namespaces and Nodes, metrics.k8s.io), with server-side apply and field managers,
// merge / strategic-merge / JSON patches, dryRun=All, resourceVersion preconditions, generations,
// a rollout controller that makes workloads ready after a delay, Kubernetes Status error bodies,
// and fault injection. Clients reach it through a kubeconfig (token auth, plain http).
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { kubernetesBytes, kubernetesCpuMillicores, parseKubernetesQuantity } from '../../server/src/engine/quantity';
import {
  applyMerge,
  changedPaths,
  clone,
  deepEqual,
  fieldPaths,
  formatPath,
  isObject,
  jsonPatch,
  mergePatch,
  PatchError,
  pathKey,
  removeAt,
  strategicMergePatch,
  toFieldsV1,
  valueAt,
  type FieldPath,
  type Json,
  type JsonObject,
} from './kubeFields';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Has a scale subresource and a rollout (generation, status). */
  workload: boolean;
  verbs: Verb[];
  /** Read-only resources served from fixtures (metrics). */
  readOnly?: boolean;
}

const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const TYPES: ResourceType[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    workload: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  {
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    workload: false,
    verbs: ALL_VERBS,
  },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    workload: false,
    verbs: ALL_VERBS,
  },
  {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    workload: false,
    verbs: ALL_VERBS,
  },
  {
    group: '',
    version: 'v1',
    plural: 'resourcequotas',
    singular: 'resourcequota',
    kind: 'ResourceQuota',
    namespaced: true,
    workload: false,
    verbs: ALL_VERBS,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    workload: true,
    verbs: ALL_VERBS,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    workload: true,
    verbs: ALL_VERBS,
  },
  // Pods and ReplicaSets are not made by controllers here: tests seed them (addPod) in the states they need.
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    workload: false,
    verbs: ALL_VERBS,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    workload: false,
    verbs: ALL_VERBS,
  },
];
const METRICS_TYPES: ResourceType[] = [
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    plural: 'pods',
    singular: '',
    kind: 'PodMetrics',
    namespaced: true,
    workload: false,
    verbs: ['get', 'list'],
    readOnly: true,
  },
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    plural: 'nodes',
    singular: '',
    kind: 'NodeMetrics',
    namespaced: false,
    workload: false,
    verbs: ['get', 'list'],
    readOnly: true,
  },
];

function groupVersion(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

function qualified(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** Which requests a fault or an RBAC refusal applies to; unset fields match anything. */
export interface RequestMatch {
  verb?: Verb;
  method?: string;
  /** Plural resource name: `deployments`, `services`. */
  resource?: string;
  /** API group: `''` for the core group, `metrics.k8s.io`... (pods and pods.metrics.k8s.io differ). */
  group?: string;
  /** `scale`, `status`; `''` for the main resource only. */
  subresource?: string;
  name?: string;
  namespace?: string;
  /** Only patches of this content type (`application/apply-patch+yaml`...). */
  contentType?: string;
  /** Only dry-run requests (true) or only real ones (false). */
  dryRun?: boolean;
}

export interface Fault extends RequestMatch {
  /** How many matching requests it applies to (default 1; Infinity for all). */
  times?: number;
  /** Answer with this code and a Status body. */
  status?: number;
  reason?: string;
  message?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
  /** Wait this long before answering (a slow server); combined with status or handled normally. */
  delayMs?: number;
  /** Close the connection without an answer (a lost connection). */
  drop?: boolean;
  /** Handle the request (a write goes through), then close the connection without the answer. */
  dropAfter?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType?: string;
  verb: Verb | 'discovery';
  resource?: string;
  subresource?: string;
  name?: string;
  namespace?: string;
  body?: unknown;
  status?: number;
  /** Whether the request carried the server's token. */
  authenticated: boolean;
}

export type RolloutMode = 'ready' | 'never-ready' | 'deadline-exceeded' | 'manual';

export interface TestKubeApiServerOptions {
  /** The bearer token the server accepts (random when not given). */
  token?: string;
  /** How long after a spec change a workload becomes ready (default 0: at the next turn of the event loop). */
  readyDelayMs?: number;
  /** Serve metrics.k8s.io (default false: as on a cluster without metrics-server). */
  metrics?: boolean;
  /** The user named in 403 messages. */
  user?: string;
}

interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  fields: Map<string, FieldPath>;
}

interface Stored {
  type: ResourceType;
  object: JsonObject;
  managers: ManagerEntry[];
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

function statusBody(code: number, reason: string, message: string, details?: JsonObject): JsonObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONTROLLER = 'kube-controller-manager';

export class TestKubeApiServer extends EventEmitter {
  readonly token: string;
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly store = new Map<string, Stored>();
  private readonly faults: Fault[] = [];
  private readonly refusals: RequestMatch[] = [];
  private readonly rolloutModes = new Map<string, RolloutMode>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly podMetrics: JsonObject[] = [];
  private readonly nodeMetrics: JsonObject[] = [];
  private revision = 100;
  private nextClusterIp = 10;
  private port = 0;
  readyDelayMs: number;
  metricsEnabled: boolean;
  readonly user: string;

  private constructor(options: TestKubeApiServerOptions) {
    super();
    this.token = options.token ?? randomBytes(16).toString('hex');
    this.readyDelayMs = options.readyDelayMs ?? 0;
    this.metricsEnabled = options.metrics ?? false;
    this.user = options.user ?? 'system:serviceaccount:ci:deployer';
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
  }

  static async start(options: TestKubeApiServerOptions = {}): Promise<TestKubeApiServer> {
    const server = new TestKubeApiServer(options);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', () => resolve());
    });
    server.port = (server.server.address() as AddressInfo).port;
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The etcd revision: goes up by one per stored write. */
  get resourceVersion(): number {
    return this.revision;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A kubeconfig for this server in `dir` (token auth, plain http with insecure-skip-tls-verify). */
  writeKubeconfig(
    dir: string,
    options: {
      context?: string;
      namespace?: string;
      file?: string;
      token?: string;
      exec?: { command: string; args: string[] };
    } = {},
  ): string {
    const context = options.context ?? 'test';
    const file = path.join(dir, options.file ?? 'kubeconfig.yaml');
    const text = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '  - name: test-cluster',
      '    cluster:',
      `      server: ${this.url}`,
      '      insecure-skip-tls-verify: true',
      'users:',
      '  - name: test-user',
      '    user:',
      ...(options.exec
        ? [
            '      exec:',
            '        apiVersion: client.authentication.k8s.io/v1',
            `        command: ${JSON.stringify(options.exec.command)}`,
            `        args: ${JSON.stringify(options.exec.args)}`,
            '        interactiveMode: Never',
          ]
        : [`      token: ${options.token ?? this.token}`]),
      'contexts:',
      `  - name: ${context}`,
      '    context:',
      '      cluster: test-cluster',
      '      user: test-user',
      ...(options.namespace ? [`      namespace: ${options.namespace}`] : []),
      `current-context: ${context}`,
      '',
    ].join('\n');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  }

  // ---- test controls -----------------------------------------------------------------------------

  /**
   * Stores an object as another tool wrote it (kubectl apply by default), its workloads already
   * rolled out; `createdAt` (an RFC 3339 time, whole seconds) when it was created before now.
   */
  seed(
    object: JsonObject,
    options: { manager?: string; operation?: 'Apply' | 'Update'; createdAt?: string } = {},
  ): JsonObject {
    const type = this.typeOfKind(String(object.kind));
    const metadata = (object.metadata ?? {}) as JsonObject;
    const namespace = type.namespaced ? String(metadata.namespace ?? 'default') : undefined;
    if (namespace && !this.store.has(this.key(TYPES[0], undefined, namespace)))
      this.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const copy = clone(object);
    if (namespace) (copy.metadata as JsonObject).namespace = namespace;
    this.validate(type, copy, undefined);
    const manager = options.manager ?? 'kubectl-client-side-apply';
    const stored = this.commit(
      type,
      undefined,
      copy,
      { manager, operation: options.operation ?? 'Update', paths: fieldPaths(copy), settled: true },
      false,
    );
    if (options.createdAt) (stored.object.metadata as JsonObject).creationTimestamp = options.createdAt;
    if (type.workload) this.writeStatus(stored, 'ready');
    return this.view(this.store.get(this.keyOf(stored))!);
  }

  /** The stored object as the API would return it, or undefined. */
  object(kind: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const type = this.typeOfKind(kind);
    const stored = this.store.get(this.key(type, type.namespaced ? (namespace ?? 'default') : undefined, name));
    return stored && this.view(stored);
  }

  objects(kind: string, namespace?: string): JsonObject[] {
    const type = this.typeOfKind(kind);
    return [...this.store.values()]
      .filter((s) => s.type === type && (!namespace || (s.object.metadata as JsonObject).namespace === namespace))
      .map((s) => this.view(s));
  }

  /** Changes a stored object as another writer would (an HPA, `kubectl edit`): a write under that manager. */
  edit(
    kind: string,
    namespace: string | undefined,
    name: string,
    change: (object: JsonObject) => void,
    manager = 'kubectl-edit',
  ): JsonObject {
    const type = this.typeOfKind(kind);
    const stored = this.store.get(this.key(type, type.namespaced ? (namespace ?? 'default') : undefined, name));
    if (!stored) throw new Error(`no ${kind} ${namespace}/${name}`);
    const next = clone(stored.object);
    change(next);
    const { changed } = changedPaths(stored.object, next);
    return this.view(this.commit(type, stored, next, { manager, operation: 'Update', paths: changed }, false));
  }

  /** Makes matching requests fail, stall or drop (in the order added, each `times` times). */
  fail(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** RBAC: refuses a verb on a resource (and subresource) with 403 Forbidden. */
  forbid(match: RequestMatch): void {
    this.refusals.push(match);
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.refusals.length = 0;
  }

  /** How this workload's next rollouts end. */
  rollout(namespace: string, name: string, mode: RolloutMode): void {
    this.rolloutModes.set(`${namespace}/${name}`, mode);
  }

  /** Ends a rollout held with `rollout(ns, name, 'manual')`: the workload becomes ready now. */
  completeRollout(namespace: string, name: string, kind = 'Deployment'): void {
    const type = this.typeOfKind(kind);
    const stored = this.store.get(this.key(type, namespace, name));
    if (!stored) throw new Error(`no ${kind} ${namespace}/${name}`);
    this.rolloutModes.set(`${namespace}/${name}`, 'ready');
    this.writeStatus(stored, 'ready');
  }

  addNode(name: string, allocatable: Record<string, string>, labels: Record<string, string> = {}): void {
    this.seed({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels },
      status: { allocatable, capacity: allocatable },
    } as JsonObject);
    const stored = this.store.get(this.key(this.typeOfKind('Node'), undefined, name))!;
    stored.object.status = { allocatable, capacity: allocatable };
  }

  /** What metrics-server would report for a pod (served when `metrics` is on). */
  addPodMetrics(
    namespace: string,
    name: string,
    labels: Record<string, string>,
    containers: { name: string; cpu: string; memory: string }[],
  ): void {
    this.podMetrics.push({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name, namespace, labels, creationTimestamp: new Date().toISOString() },
      timestamp: new Date().toISOString(),
      window: '30s',
      containers: containers.map((c) => ({ name: c.name, usage: { cpu: c.cpu, memory: c.memory } })),
    });
  }

  /** Sets (or replaces) what metrics-server reports for a pod now: tests change it between samples. */
  setPodMetrics(
    namespace: string,
    name: string,
    containers: { name: string; cpu: string; memory: string }[],
    labels: Record<string, string> = {},
  ): void {
    const index = this.podMetrics.findIndex(
      (m) => (m.metadata as JsonObject).namespace === namespace && (m.metadata as JsonObject).name === name,
    );
    if (index !== -1) this.podMetrics.splice(index, 1);
    this.addPodMetrics(namespace, name, labels, containers);
  }

  /**
   * A pod as the controllers and the kubelet would leave it: owned by a ReplicaSet of a Deployment
   * (created too), or directly by a StatefulSet; Running and Ready unless the test says otherwise
   * (Pending, not ready, restarts, last terminated by OOMKilled at `terminatedAt`).
   */
  addPod(
    namespace: string,
    name: string,
    options: {
      owner?: { kind: 'Deployment' | 'StatefulSet'; name: string };
      labels?: Record<string, string>;
      containers: {
        name: string;
        requests?: Record<string, string>;
        limits?: Record<string, string>;
        restarts?: number;
        oomKilledAt?: string;
        ready?: boolean;
      }[];
      phase?: 'Running' | 'Pending';
    },
  ): JsonObject {
    let ownerReferences: JsonObject[] = [];
    const owner = options.owner;
    if (owner?.kind === 'Deployment') {
      const rsName = `${owner.name}-5d8f7c9b6`;
      if (!this.object('ReplicaSet', namespace, rsName)) {
        const deployment = this.object('Deployment', namespace, owner.name);
        this.seed(
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: {
              name: rsName,
              namespace,
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'Deployment',
                  name: owner.name,
                  uid: String((deployment?.metadata as JsonObject | undefined)?.uid ?? ''),
                  controller: true,
                },
              ],
            },
            spec: {
              replicas: 1,
              selector: { matchLabels: options.labels ?? {} },
              template: { metadata: { labels: options.labels ?? {} }, spec: { containers: [] } },
            },
          } as JsonObject,
          { manager: CONTROLLER },
        );
      }
      ownerReferences = [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rsName,
          uid: String((this.object('ReplicaSet', namespace, rsName)?.metadata as JsonObject).uid ?? ''),
          controller: true,
        },
      ];
    } else if (owner) {
      const parent = this.object(owner.kind, namespace, owner.name);
      ownerReferences = [
        {
          apiVersion: 'apps/v1',
          kind: owner.kind,
          name: owner.name,
          uid: String((parent?.metadata as JsonObject | undefined)?.uid ?? ''),
          controller: true,
        },
      ];
    }
    const pending = options.phase === 'Pending';
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: options.labels ?? {}, ownerReferences },
      spec: {
        containers: options.containers.map((c) => ({
          name: c.name,
          image: `example/${c.name}:1`,
          resources: { ...(c.requests ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) },
        })),
      },
      status: {
        phase: pending ? 'Pending' : 'Running',
        conditions: pending
          ? [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: '0/1 nodes are available: 1 Insufficient memory.',
              },
            ]
          : [{ type: 'Ready', status: options.containers.every((c) => c.ready !== false) ? 'True' : 'False' }],
        containerStatuses: pending
          ? []
          : options.containers.map((c) => ({
              name: c.name,
              ready: c.ready !== false,
              restartCount: c.restarts ?? 0,
              state: { running: { startedAt: new Date().toISOString() } },
              ...(c.oomKilledAt
                ? { lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: c.oomKilledAt } } }
                : {}),
            })),
      },
    } as JsonObject;
    const stored = this.seed(pod, { manager: 'kubelet' });
    // seed() keeps status from the object, as the kubelet's status writes would.
    return stored;
  }

  /** A pod gone, as after a scale-down: metrics-server stops reporting it too. */
  removePod(namespace: string, name: string): void {
    this.store.delete(this.key(this.typeOfKind('Pod'), namespace, name));
    this.revision += 1;
    const index = this.podMetrics.findIndex(
      (m) => (m.metadata as JsonObject).namespace === namespace && (m.metadata as JsonObject).name === name,
    );
    if (index !== -1) this.podMetrics.splice(index, 1);
  }

  addNodeMetrics(name: string, cpu: string, memory: string): void {
    this.nodeMetrics.push({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'NodeMetrics',
      metadata: { name },
      timestamp: new Date().toISOString(),
      window: '30s',
      usage: { cpu, memory },
    });
  }

  /** The next request (already answered) that matches, or a rejection after `timeoutMs`. */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> {
    const seen = this.requests.find((r) => r.status !== undefined && predicate(r));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('request', listener);
        reject(new Error(`no matching request within ${timeoutMs}ms`));
      }, timeoutMs);
      const listener = (request: RecordedRequest) => {
        if (!predicate(request)) return;
        clearTimeout(timer);
        this.off('request', listener);
        resolve(request);
      };
      this.on('request', listener);
    });
  }

  /** Requests that changed (or would have changed, with dryRun) something. */
  writes(options: { dryRun?: boolean } = {}): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(r.verb) &&
        (options.dryRun === undefined || (r.query.get('dryRun') === 'All') === options.dryRun),
    );
  }

  // ---- HTTP ----------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers['content-type']?.split(';')[0].trim(),
      verb: 'discovery',
      authenticated: req.headers.authorization === `Bearer ${this.token}`,
    };
    this.requests.push(record);
    const send = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = code;
      if (!res.destroyed) {
        res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      }
      this.emit('request', record);
    };
    try {
      const route = this.route(url.pathname, record.method);
      Object.assign(record, route.match);
      if (raw) {
        try {
          record.body = record.contentType === 'application/apply-patch+yaml' ? parseYaml(raw) : JSON.parse(raw);
        } catch {
          throw new ApiError(
            400,
            'BadRequest',
            `the body of the request was in an unknown format: ${record.contentType}`,
          );
        }
      }
      if (!record.authenticated) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      const fault = this.faults.find((f) => f.times! > 0 && this.matches(f, record));
      if (fault) {
        fault.times! -= 1;
        if (fault.delayMs) await this.delay(fault.delayMs);
        if (fault.drop) {
          record.status = 0;
          req.socket.destroy();
          this.emit('request', record);
          return;
        }
        if (fault.status) {
          const reason = fault.reason ?? defaultReason(fault.status);
          const details = fault.causes
            ? { name: record.name ?? '', kind: record.resource ?? '', causes: fault.causes as Json }
            : undefined;
          throw new ApiError(
            fault.status,
            reason,
            fault.message ?? defaultMessage(fault.status, record),
            details,
            fault.retryAfterSeconds,
          );
        }
      }
      const refused = this.refusals.find((r) => this.matches(r, record));
      if (refused && route.type) throw this.forbidden(route.type, record);
      const [code, body] = route.handler(record);
      if (fault?.dropAfter) {
        record.status = code;
        req.socket.destroy();
        this.emit('request', record);
        return;
      }
      send(code, body);
    } catch (error) {
      if (error instanceof ApiError) {
        send(
          error.code,
          statusBody(error.code, error.reason, error.message, error.details),
          error.retryAfterSeconds !== undefined ? { 'Retry-After': String(error.retryAfterSeconds) } : {},
        );
      } else {
        send(500, statusBody(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`));
      }
    }
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private matches(match: RequestMatch, record: RecordedRequest): boolean {
    return (
      (match.verb === undefined || match.verb === record.verb) &&
      (match.method === undefined || match.method === record.method) &&
      (match.resource === undefined || match.resource === record.resource) &&
      (match.group === undefined ||
        (match.group === '' ? record.path.startsWith('/api/') : record.path.startsWith(`/apis/${match.group}/`))) &&
      (match.subresource === undefined || match.subresource === (record.subresource ?? '')) &&
      (match.name === undefined || match.name === record.name) &&
      (match.namespace === undefined || match.namespace === record.namespace) &&
      (match.contentType === undefined || match.contentType === record.contentType) &&
      (match.dryRun === undefined || match.dryRun === (record.query.get('dryRun') === 'All'))
    );
  }

  private forbidden(type: ResourceType, record: RecordedRequest): ApiError {
    const resource = record.subresource ? `${type.plural}/${record.subresource}` : type.plural;
    const subject = record.name ? `${qualified(type)} "${record.name}"` : qualified(type);
    const scope = record.namespace ? ` in the namespace "${record.namespace}"` : ' at the cluster scope';
    return new ApiError(
      403,
      'Forbidden',
      `${subject} is forbidden: User "${this.user}" cannot ${record.verb} resource "${resource}" in API group "${type.group}"${scope}`,
      {
        ...(record.name ? { name: record.name } : {}),
        group: type.group,
        kind: type.plural,
      },
    );
  }

  private route(
    pathname: string,
    method: string,
  ): { match: Partial<RecordedRequest>; type?: ResourceType; handler: (r: RecordedRequest) => [number, unknown] } {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const ok = (body: unknown) => (): [number, unknown] => [200, body];
    if (method === 'GET') {
      if (pathname === '/version')
        return {
          match: {},
          handler: ok({ major: '1', minor: '31', gitVersion: 'v1.31.0-test', platform: 'linux/amd64' }),
        };
      if (pathname === '/api')
        return {
          match: {},
          handler: ok({
            kind: 'APIVersions',
            versions: ['v1'],
            serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }],
          }),
        };
      if (pathname === '/apis') return { match: {}, handler: ok(this.groupList()) };
      if (pathname === '/api/v1') return { match: {}, handler: ok(this.resourceList('', 'v1')) };
      if (parts[0] === 'apis' && parts.length === 3) {
        const list = this.resourceList(parts[1], parts[2]);
        if (list) return { match: {}, handler: ok(list) };
      }
    }
    let rest: string[];
    let group: string;
    let version: string;
    if (parts[0] === 'api' && parts[1] === 'v1') {
      group = '';
      version = 'v1';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1];
      version = parts[2];
      rest = parts.slice(3);
    } else {
      return { match: {}, handler: () => notFoundPath() };
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource, ...extra] = rest;
    const type = this.types().find((t) => t.group === group && t.version === version && t.plural === plural);
    if (
      !type ||
      extra.length ||
      (type.namespaced && !namespace && name !== undefined) ||
      (!type.namespaced && namespace)
    )
      return { match: {}, handler: () => notFoundPath() };
    const verb = verbOf(method, name !== undefined);
    const match: Partial<RecordedRequest> = { verb, resource: plural, subresource, name, namespace };
    return { match, type, handler: (record) => this.serve(type, record) };
  }

  private types(): ResourceType[] {
    return this.metricsEnabled ? [...TYPES, ...METRICS_TYPES] : TYPES;
  }

  private groupList(): JsonObject {
    const groups = new Map<string, string>();
    for (const type of this.types()) if (type.group) groups.set(type.group, type.version);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, version]) => ({
        name,
        versions: [{ groupVersion: `${name}/${version}`, version }],
        preferredVersion: { groupVersion: `${name}/${version}`, version },
      })),
    };
  }

  private resourceList(group: string, version: string): JsonObject | undefined {
    const types = this.types().filter((t) => t.group === group && t.version === version);
    if (types.length === 0) return undefined;
    const resources: JsonObject[] = [];
    for (const t of types) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: t.verbs,
      });
      if (t.workload) {
        resources.push({
          name: `${t.plural}/scale`,
          singularName: '',
          namespaced: true,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        });
        resources.push({
          name: `${t.plural}/status`,
          singularName: '',
          namespaced: true,
          kind: t.kind,
          verbs: ['get', 'patch', 'update'],
        });
      }
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources,
    };
  }

  // ---- the REST handlers --------------------------------------------------------------------------

  private serve(type: ResourceType, record: RecordedRequest): [number, unknown] {
    const dryRunParam = record.query.get('dryRun');
    if (dryRunParam !== null && dryRunParam !== 'All')
      throw new ApiError(400, 'BadRequest', `dryRun: Unsupported value: "${dryRunParam}": supported values: "All"`);
    const dryRun = dryRunParam === 'All';
    if (type.readOnly) return this.serveMetrics(type, record);
    const { name, namespace, subresource } = record;
    if (subresource && !(type.workload && (subresource === 'scale' || subresource === 'status')))
      throw notFoundPath()[1] as never;
    const key = name !== undefined ? this.key(type, namespace, name) : undefined;
    const stored = key ? this.store.get(key) : undefined;
    const manager = record.query.get('fieldManager') ?? undefined;
    const notFound = () =>
      new ApiError(404, 'NotFound', `${qualified(type)} "${name}" not found`, {
        name: name ?? '',
        group: type.group,
        kind: type.plural,
      });
    if (record.query.has('force') && record.contentType !== 'application/apply-patch+yaml') {
      throw new ApiError(422, 'Invalid', 'force: Invalid value: true: may not be specified for non-apply patch', {
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: true: may not be specified for non-apply patch',
            field: 'force',
          },
        ],
      });
    }

    switch (record.verb) {
      case 'get':
        if (!stored) throw notFound();
        return [200, subresource === 'scale' ? this.scaleOf(stored) : this.view(stored)];
      case 'list': {
        if (record.query.get('watch') === 'true')
          throw new ApiError(405, 'MethodNotAllowed', 'watch is not supported by the test API server');
        const selector = record.query.get('labelSelector');
        const items = [...this.store.values()]
          .filter(
            (s) =>
              s.type === type &&
              (!namespace || (s.object.metadata as JsonObject).namespace === namespace) &&
              matchesSelector(s.object, selector),
          )
          .map((s) => {
            const view = this.view(s);
            delete view.apiVersion;
            delete view.kind;
            return view;
          });
        return [
          200,
          {
            kind: `${type.kind}List`,
            apiVersion: groupVersion(type),
            metadata: { resourceVersion: String(this.revision) },
            items,
          },
        ];
      }
      case 'create': {
        const body = record.body;
        if (!isObject(body)) throw new ApiError(400, 'BadRequest', 'the body of the request must be an object');
        const objectName = String((body.metadata as JsonObject | undefined)?.name ?? '');
        const objectKey = this.key(type, namespace, objectName);
        if (this.store.has(objectKey))
          throw new ApiError(409, 'AlreadyExists', `${qualified(type)} "${objectName}" already exists`, {
            name: objectName,
            group: type.group,
            kind: type.plural,
          });
        const object = clone(body);
        this.checkIdentity(type, object, namespace, undefined);
        this.validate(type, object, undefined);
        const result = this.commit(
          type,
          undefined,
          object,
          { manager: manager ?? 'unknown', operation: 'Update', paths: fieldPaths(object) },
          dryRun,
        );
        return [201, this.viewOf(type, result)];
      }
      case 'update': {
        if (!stored) throw notFound();
        const body = record.body;
        if (!isObject(body)) throw new ApiError(400, 'BadRequest', 'the body of the request must be an object');
        if (subresource === 'scale') return [200, this.writeScale(stored, body, manager, dryRun)];
        const object = clone(body);
        const rv = (object.metadata as JsonObject | undefined)?.resourceVersion;
        if (rv === undefined || rv === '')
          throw invalid(type, name!, [
            {
              field: 'metadata.resourceVersion',
              reason: 'FieldValueInvalid',
              message: 'Invalid value: 0x0: must be specified for an update',
            },
          ]);
        this.checkIdentity(type, object, namespace, name);
        this.precondition(type, stored, rv);
        if (subresource === 'status') object.spec = clone(stored.object.spec ?? null);
        else object.status = clone(stored.object.status ?? null);
        this.validate(type, object, stored.object);
        const { changed, removed } = changedPaths(stored.object, object, { status: subresource === 'status' });
        const result = this.commit(
          type,
          stored,
          object,
          { manager: manager ?? 'unknown', operation: 'Update', paths: changed, removed, subresource },
          dryRun,
        );
        return [200, this.viewOf(type, result)];
      }
      case 'patch': {
        const contentType = record.contentType;
        if (contentType === 'application/apply-patch+yaml') return this.apply(type, stored, record, manager, dryRun);
        if (!stored) throw notFound();
        if (
          ![
            'application/merge-patch+json',
            'application/strategic-merge-patch+json',
            'application/json-patch+json',
          ].includes(contentType ?? '')
        ) {
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
          );
        }
        const patch = (current: JsonObject): JsonObject => {
          try {
            const body = record.body as Json;
            const result =
              contentType === 'application/json-patch+json'
                ? jsonPatch(current, body)
                : contentType === 'application/merge-patch+json'
                  ? mergePatch(current, body)
                  : strategicMergePatch(current, body);
            if (!isObject(result)) throw new PatchError('the patch did not produce an object');
            return result;
          } catch (error) {
            if (error instanceof PatchError)
              throw new ApiError(
                422,
                'Invalid',
                `the server rejected our request due to an error in our request: ${error.message}`,
              );
            throw error;
          }
        };
        if (subresource === 'scale')
          return [200, this.writeScale(stored, patch(this.scaleOf(stored)), manager, dryRun)];
        const current = this.view(stored);
        delete (current.metadata as JsonObject).managedFields;
        const object = patch(current);
        const rv = (object.metadata as JsonObject | undefined)?.resourceVersion;
        this.checkIdentity(type, object, namespace, name);
        this.precondition(type, stored, rv);
        if (subresource === 'status') object.spec = clone(stored.object.spec ?? null);
        else if (stored.object.status !== undefined) object.status = clone(stored.object.status);
        else delete object.status;
        this.validate(type, object, stored.object);
        const { changed, removed } = changedPaths(stored.object, object, { status: subresource === 'status' });
        const result = this.commit(
          type,
          stored,
          object,
          { manager: manager ?? 'unknown', operation: 'Update', paths: changed, removed, subresource },
          dryRun,
        );
        return [200, this.viewOf(type, result)];
      }
      case 'delete': {
        if (!stored) throw notFound();
        const preconditions =
          isObject(record.body) && isObject(record.body.preconditions) ? record.body.preconditions : {};
        const metadata = stored.object.metadata as JsonObject;
        if (preconditions.uid !== undefined && preconditions.uid !== metadata.uid) {
          throw new ApiError(
            409,
            'Conflict',
            `Operation cannot be fulfilled on ${qualified(type)} "${name}": Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${metadata.uid}`,
            { name: name!, group: type.group, kind: type.plural },
          );
        }
        if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== metadata.resourceVersion) {
          throw new ApiError(
            409,
            'Conflict',
            `Operation cannot be fulfilled on ${qualified(type)} "${name}": Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${metadata.resourceVersion}`,
            { name: name!, group: type.group, kind: type.plural },
          );
        }
        if (!dryRun) {
          this.store.delete(key!);
          this.revision += 1;
          if (type.kind === 'Namespace')
            for (const [k, s] of this.store)
              if ((s.object.metadata as JsonObject).namespace === name) this.store.delete(k);
          this.emit('write', { verb: 'delete', type: type.kind, namespace, name });
        }
        return [
          200,
          {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Success',
            details: { name: name!, group: type.group, kind: type.plural, uid: metadata.uid },
          },
        ];
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
  }

  private serveMetrics(type: ResourceType, record: RecordedRequest): [number, unknown] {
    const source = type.kind === 'PodMetrics' ? this.podMetrics : this.nodeMetrics;
    const items = source.filter((m) => !record.namespace || (m.metadata as JsonObject).namespace === record.namespace);
    if (record.verb === 'get') {
      const item = items.find((m) => (m.metadata as JsonObject).name === record.name);
      if (!item) throw new ApiError(404, 'NotFound', `${type.plural}.metrics.k8s.io "${record.name}" not found`);
      return [200, item];
    }
    if (record.verb !== 'list')
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    return [200, { kind: `${type.kind}List`, apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: clone(items) }];
  }

  private apply(
    type: ResourceType,
    stored: Stored | undefined,
    record: RecordedRequest,
    manager: string | undefined,
    dryRun: boolean,
  ): [number, unknown] {
    const { name, namespace, subresource } = record;
    if (subresource)
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        'apply patches of subresources are not supported by the test API server',
      );
    if (!manager)
      throw new ApiError(
        400,
        'BadRequest',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    const applied = record.body;
    if (!isObject(applied)) throw new ApiError(400, 'BadRequest', 'the body of an apply patch must be an object');
    if (applied.apiVersion !== groupVersion(type) || applied.kind !== type.kind) {
      throw new ApiError(
        400,
        'BadRequest',
        `the API version in the data (${applied.apiVersion}) does not match the expected API version (${groupVersion(type)}), or the kind (${applied.kind}) is not ${type.kind}`,
      );
    }
    const metadata = isObject(applied.metadata) ? applied.metadata : {};
    if (Array.isArray(metadata.managedFields) && metadata.managedFields.length)
      throw new ApiError(400, 'BadRequest', 'metadata.managedFields must be nil');
    this.checkIdentity(type, applied, namespace, name);
    const appliedPaths = fieldPaths(applied);
    const force = record.query.get('force') === 'true';
    if (!stored) {
      const object = clone(applied);
      this.validate(type, object, undefined);
      return [
        201,
        this.viewOf(
          type,
          this.commit(type, undefined, object, { manager, operation: 'Apply', paths: appliedPaths }, dryRun),
        ),
      ];
    }
    this.precondition(type, stored, metadata.resourceVersion);
    const conflicts: { manager: string; path: FieldPath; apiVersion: string }[] = [];
    for (const p of appliedPaths) {
      if (p[p.length - 1] === '.') continue;
      if (deepEqual(valueAt(stored.object, p), valueAt(applied, p))) continue;
      for (const entry of stored.managers) {
        if (entry.manager === manager && entry.operation === 'Apply') continue;
        if (entry.fields.has(pathKey(p)))
          conflicts.push({ manager: entry.manager, path: p, apiVersion: entry.apiVersion });
      }
    }
    const managers = stored.managers.map((m) => ({ ...m, fields: new Map(m.fields) }));
    if (conflicts.length && !force) {
      const lines = conflicts.map(
        (c) => `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}: ${formatPath(c.path)}`,
      );
      const message =
        conflicts.length === 1
          ? `Apply failed with 1 conflict: ${lines[0]}`
          : `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
      throw new ApiError(409, 'Conflict', message, {
        name: name!,
        group: type.group,
        kind: type.plural,
        causes: conflicts.map((c) => ({
          reason: 'FieldManagerConflict',
          message: `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}`,
          field: formatPath(c.path),
        })),
      });
    }
    for (const c of conflicts)
      for (const entry of managers)
        if (entry.manager !== manager || entry.operation !== 'Apply') entry.fields.delete(pathKey(c.path));
    let object = applyMerge(stored.object, applied) as JsonObject;
    // Fields this manager applied before and no longer applies are removed, unless someone else owns them.
    const previous = managers.find((m) => m.manager === manager && m.operation === 'Apply');
    const appliedKeys = new Set(appliedPaths.map(pathKey));
    if (previous) {
      for (const [k, p] of previous.fields) {
        if (appliedKeys.has(k)) continue;
        const ownedElsewhere = managers.some(
          (m) =>
            m !== previous && [...m.fields.keys()].some((other) => other === k || other.startsWith(k.slice(0, -1))),
        );
        if (!ownedElsewhere) removeAt(object, p);
      }
    }
    object = clone(object);
    object.status = clone(stored.object.status ?? null);
    if (object.status === null) delete object.status;
    this.validate(type, object, stored.object);
    const result = this.commit(
      type,
      { ...stored, managers },
      object,
      { manager, operation: 'Apply', paths: appliedPaths, replace: true },
      dryRun,
    );
    return [200, this.viewOf(type, result)];
  }

  private scaleOf(stored: Stored): JsonObject {
    const metadata = stored.object.metadata as JsonObject;
    const spec = (stored.object.spec ?? {}) as JsonObject;
    const status = (stored.object.status ?? {}) as JsonObject;
    const matchLabels = ((spec.selector as JsonObject | undefined)?.matchLabels ?? {}) as Record<string, string>;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: metadata.name,
        namespace: metadata.namespace,
        uid: metadata.uid,
        resourceVersion: metadata.resourceVersion,
        creationTimestamp: metadata.creationTimestamp,
      },
      spec: { replicas: spec.replicas ?? 1 },
      status: {
        replicas: status.replicas ?? 0,
        selector: Object.entries(matchLabels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      },
    };
  }

  private writeScale(stored: Stored, scale: JsonObject, manager: string | undefined, dryRun: boolean): JsonObject {
    const metadata = (scale.metadata ?? {}) as JsonObject;
    this.precondition(stored.type, stored, metadata.resourceVersion);
    const replicas = (scale.spec as JsonObject | undefined)?.replicas;
    const name = String((stored.object.metadata as JsonObject).name);
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid(stored.type, name, [
        {
          field: 'spec.replicas',
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ]);
    }
    const object = clone(stored.object);
    (object.spec as JsonObject).replicas = replicas;
    const changed = replicas === ((stored.object.spec as JsonObject).replicas ?? 1) ? [] : [['f:spec', 'f:replicas']];
    const result = this.commit(
      stored.type,
      stored,
      object,
      { manager: manager ?? 'unknown', operation: 'Update', paths: changed, subresource: 'scale' },
      dryRun,
    );
    return this.scaleOf(result);
  }

  private checkIdentity(
    type: ResourceType,
    object: JsonObject,
    namespace: string | undefined,
    name: string | undefined,
  ): void {
    if (!isObject(object.metadata)) object.metadata = {};
    const metadata = object.metadata as JsonObject;
    object.apiVersion ??= groupVersion(type);
    object.kind ??= type.kind;
    if (object.kind !== type.kind)
      throw new ApiError(400, 'BadRequest', `the kind in the data (${object.kind}) does not match ${type.kind}`);
    if (name !== undefined && metadata.name !== undefined && metadata.name !== name)
      throw new ApiError(
        400,
        'BadRequest',
        `the name of the object (${metadata.name}) does not match the name on the URL (${name})`,
      );
    if (name !== undefined) metadata.name ??= name;
    if (type.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== namespace)
        throw new ApiError(
          400,
          'BadRequest',
          `the namespace of the provided object does not match the namespace sent on the request`,
        );
      metadata.namespace = namespace!;
    }
  }

  private precondition(type: ResourceType, stored: Stored, resourceVersion: Json | undefined): void {
    if (resourceVersion === undefined || resourceVersion === null || resourceVersion === '') return;
    const metadata = stored.object.metadata as JsonObject;
    if (resourceVersion !== metadata.resourceVersion) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${qualified(type)} "${metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        {
          name: String(metadata.name),
          group: type.group,
          kind: type.plural,
        },
      );
    }
  }

  // ---- validation and defaulting ------------------------------------------------------------------

  private validate(type: ResourceType, object: JsonObject, old: JsonObject | undefined): void {
    const metadata = object.metadata as JsonObject;
    const name = String(metadata.name ?? '');
    const causes: { field: string; reason: string; message: string }[] = [];
    if (!name)
      causes.push({
        field: 'metadata.name',
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
      });
    else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
      causes.push({
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      });
    }
    if (type.namespaced && !old && !this.store.has(this.key(TYPES[0], undefined, String(metadata.namespace)))) {
      throw new ApiError(404, 'NotFound', `namespaces "${metadata.namespace}" not found`, {
        name: String(metadata.namespace),
        kind: 'namespaces',
      });
    }
    if (type.workload) this.validateWorkload(object, old, causes);
    if (type.kind === 'Service') {
      const spec = (object.spec ?? {}) as JsonObject;
      const ports = Array.isArray(spec.ports) ? spec.ports : [];
      if (ports.length === 0 && spec.type !== 'ExternalName')
        causes.push({ field: 'spec.ports', reason: 'FieldValueRequired', message: 'Required value' });
      ports.forEach((port, i) => {
        const p = isObject(port) ? port.port : undefined;
        if (typeof p !== 'number' || p < 1 || p > 65535)
          causes.push({
            field: `spec.ports[${i}].port`,
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${JSON.stringify(p)}: must be between 1 and 65535, inclusive`,
          });
      });
      if (spec.selector !== undefined && spec.selector !== null && !isObject(spec.selector))
        causes.push({ field: 'spec.selector', reason: 'FieldValueInvalid', message: 'Invalid value: must be a map' });
      const oldIp = old && isObject(old.spec) ? old.spec.clusterIP : undefined;
      if (oldIp !== undefined && spec.clusterIP !== undefined && spec.clusterIP !== oldIp)
        causes.push({
          field: 'spec.clusterIP',
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${spec.clusterIP}": field is immutable`,
        });
    }
    if (type.kind === 'ConfigMap' && object.data !== undefined) {
      if (!isObject(object.data) || Object.values(object.data).some((v) => typeof v !== 'string'))
        causes.push({ field: 'data', reason: 'FieldValueInvalid', message: 'Invalid value: values must be strings' });
      else if (JSON.stringify(object.data).length > 1048576)
        causes.push({
          field: 'data',
          reason: 'FieldValueTooLong',
          message: 'Too long: must have at most 1048576 bytes',
        });
    }
    if (causes.length) throw invalid(type, name, causes);
  }

  private validateWorkload(
    object: JsonObject,
    old: JsonObject | undefined,
    causes: { field: string; reason: string; message: string }[],
  ): void {
    const spec = isObject(object.spec) ? object.spec : {};
    const selector = isObject(spec.selector) ? spec.selector : undefined;
    const matchLabels = selector && isObject(selector.matchLabels) ? selector.matchLabels : undefined;
    if (!matchLabels || Object.keys(matchLabels).length === 0)
      causes.push({ field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' });
    if (spec.replicas !== undefined && (typeof spec.replicas !== 'number' || spec.replicas < 0))
      causes.push({
        field: 'spec.replicas',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`,
      });
    const template = isObject(spec.template) ? spec.template : {};
    const labels = isObject(template.metadata) && isObject(template.metadata.labels) ? template.metadata.labels : {};
    if (matchLabels && !Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) {
      causes.push({
        field: 'spec.template.metadata.labels',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
      });
    }
    const oldSelector = old && isObject(old.spec) ? old.spec.selector : undefined;
    if (oldSelector !== undefined && !deepEqual(oldSelector, spec.selector))
      causes.push({
        field: 'spec.selector',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(spec.selector)}: field is immutable`,
      });
    const podSpec = isObject(template.spec) ? template.spec : {};
    const containers = Array.isArray(podSpec.containers) ? podSpec.containers : [];
    if (containers.length === 0)
      causes.push({ field: 'spec.template.spec.containers', reason: 'FieldValueRequired', message: 'Required value' });
    const names = new Set<string>();
    for (const key of ['initContainers', 'containers']) {
      const list = Array.isArray(podSpec[key]) ? (podSpec[key] as Json[]) : [];
      list.forEach((c, i) => {
        const at = `spec.template.spec.${key}[${i}]`;
        const container = isObject(c) ? c : {};
        if (!container.name)
          causes.push({ field: `${at}.name`, reason: 'FieldValueRequired', message: 'Required value' });
        else if (names.has(String(container.name)))
          causes.push({
            field: `${at}.name`,
            reason: 'FieldValueDuplicate',
            message: `Duplicate value: "${container.name}"`,
          });
        else names.add(String(container.name));
        if (!container.image)
          causes.push({ field: `${at}.image`, reason: 'FieldValueRequired', message: 'Required value' });
        const resources = isObject(container.resources) ? container.resources : {};
        const amounts: Record<string, Record<string, number>> = {};
        for (const kind of ['requests', 'limits']) {
          const quantities = isObject(resources[kind]) ? (resources[kind] as JsonObject) : {};
          for (const [resource, raw] of Object.entries(quantities)) {
            if (!parseKubernetesQuantity(raw).ok) {
              causes.push({
                field: `${at}.resources.${kind}[${resource}]`,
                reason: 'FieldValueInvalid',
                message: `Invalid value: ${JSON.stringify(raw)}: must match the regex ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$`,
              });
              continue;
            }
            const value = resource === 'cpu' ? kubernetesCpuMillicores(raw) : kubernetesBytes(raw);
            if (value.ok) (amounts[kind] ??= {})[resource] = value.value;
          }
        }
        for (const [resource, request] of Object.entries(amounts.requests ?? {})) {
          const limit = amounts.limits?.[resource];
          if (limit !== undefined && request > limit) {
            causes.push({
              field: `${at}.resources.requests`,
              reason: 'FieldValueInvalid',
              message: `Invalid value: "${(resources.requests as JsonObject)[resource]}": must be less than or equal to ${resource} limit of ${(resources.limits as JsonObject)[resource]}`,
            });
          }
        }
      });
    }
  }

  private defaults(type: ResourceType, object: JsonObject): void {
    if (type.workload) {
      const spec = (object.spec ??= {}) as JsonObject;
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      if (type.kind === 'Deployment') {
        spec.progressDeadlineSeconds ??= 600;
        spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      } else {
        spec.podManagementPolicy ??= 'OrderedReady';
        spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      }
      const template = (spec.template ??= {}) as JsonObject;
      const podSpec = (template.spec ??= {}) as JsonObject;
      podSpec.restartPolicy ??= 'Always';
      podSpec.terminationGracePeriodSeconds ??= 30;
      podSpec.dnsPolicy ??= 'ClusterFirst';
      podSpec.schedulerName ??= 'default-scheduler';
      podSpec.securityContext ??= {};
      for (const key of ['initContainers', 'containers']) {
        for (const c of Array.isArray(podSpec[key]) ? (podSpec[key] as Json[]) : []) {
          if (!isObject(c)) continue;
          const image = String(c.image ?? '');
          c.imagePullPolicy ??= /:[^/]+$/.test(image) && !image.endsWith(':latest') ? 'IfNotPresent' : 'Always';
          c.terminationMessagePath ??= '/dev/termination-log';
          c.terminationMessagePolicy ??= 'File';
          c.resources ??= {};
          for (const p of Array.isArray(c.ports) ? c.ports : []) if (isObject(p)) p.protocol ??= 'TCP';
        }
      }
    }
    if (type.kind === 'Service') {
      const spec = (object.spec ??= {}) as JsonObject;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.type !== 'ExternalName' && spec.clusterIP === undefined) {
        spec.clusterIP = `10.96.0.${this.nextClusterIp++}`;
        spec.clusterIPs = [spec.clusterIP];
      }
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
      for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
        if (!isObject(p)) continue;
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
    }
    if (type.kind === 'Namespace') {
      object.spec ??= { finalizers: ['kubernetes'] };
      object.status ??= { phase: 'Active' };
      const metadata = object.metadata as JsonObject;
      metadata.labels = {
        ...((metadata.labels as JsonObject | undefined) ?? {}),
        'kubernetes.io/metadata.name': String(metadata.name),
      };
    }
  }

  // ---- storage --------------------------------------------------------------------------------------

  private key(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${type.group}|${type.plural}|${type.namespaced ? (namespace ?? '') : ''}|${name}`;
  }

  private keyOf(stored: Stored): string {
    const metadata = stored.object.metadata as JsonObject;
    return this.key(stored.type, metadata.namespace as string | undefined, String(metadata.name));
  }

  private typeOfKind(kind: string): ResourceType {
    const type = [...TYPES, ...METRICS_TYPES].find((t) => t.kind === kind);
    if (!type) throw new Error(`the test API server does not serve ${kind}`);
    return type;
  }

  /**
   * Stores a write (or, with dryRun, only computes it): defaults, generation, managed fields and
   * resourceVersion, then a rollout when a workload's spec changed.
   */
  private commit(
    type: ResourceType,
    previous: Stored | undefined,
    object: JsonObject,
    owner: {
      manager: string;
      operation: 'Apply' | 'Update';
      paths: FieldPath[];
      removed?: FieldPath[];
      subresource?: string;
      replace?: boolean;
      settled?: boolean;
    },
    dryRun: boolean,
  ): Stored {
    const metadata = object.metadata as JsonObject;
    delete metadata.managedFields;
    pruneEmptyMaps(object);
    const old = previous?.object;
    const oldMeta = (old?.metadata ?? {}) as JsonObject;
    this.defaults(type, object);
    metadata.uid = oldMeta.uid ?? randomUUID();
    metadata.creationTimestamp = oldMeta.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (type.workload) {
      const oldGeneration = typeof oldMeta.generation === 'number' ? oldMeta.generation : 0;
      metadata.generation = !old ? 1 : deepEqual(old.spec, object.spec) ? oldGeneration : oldGeneration + 1;
    } else delete metadata.generation;
    const managers = (previous?.managers ?? []).map((m) => ({ ...m, fields: new Map(m.fields) }));
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    let entry = managers.find(
      (m) =>
        m.manager === owner.manager &&
        m.operation === owner.operation &&
        (m.subresource ?? '') === (owner.subresource ?? ''),
    );
    if (!entry) {
      entry = {
        manager: owner.manager,
        operation: owner.operation,
        apiVersion: groupVersion(type),
        time: now,
        subresource: owner.subresource,
        fields: new Map(),
      };
      managers.push(entry);
    }
    if (owner.replace) entry.fields = new Map();
    for (const p of owner.paths) {
      const k = pathKey(p);
      entry.fields.set(k, p);
      // A changed value belongs to its writer alone; an applied value equal to the live one is shared.
      if (owner.operation === 'Update' || !deepEqual(valueAt(old, p), valueAt(object, p)))
        for (const m of managers) if (m !== entry) m.fields.delete(k);
    }
    for (const p of owner.removed ?? []) for (const m of managers) m.fields.delete(pathKey(p));
    if (owner.paths.length) entry.time = now;
    const kept = managers.filter((m) => m.fields.size > 0);
    const stored: Stored = { type, object, managers: kept };
    if (dryRun) {
      metadata.resourceVersion = oldMeta.resourceVersion ?? '';
      if (!old) delete metadata.resourceVersion;
      return stored;
    }
    this.revision += 1;
    metadata.resourceVersion = String(this.revision);
    this.store.set(this.keyOf(stored), stored);
    this.emit('write', {
      verb: old ? 'update' : 'create',
      type: type.kind,
      namespace: metadata.namespace,
      name: metadata.name,
    });
    if (type.workload && metadata.generation !== oldMeta.generation && !owner.settled) this.startRollout(stored);
    return stored;
  }

  private startRollout(stored: Stored): void {
    const metadata = stored.object.metadata as JsonObject;
    const id = `${metadata.namespace}/${metadata.name}`;
    const mode = this.rolloutModes.get(id) ?? 'ready';
    const generation = metadata.generation;
    const progressing = () => {
      const current = this.store.get(this.keyOf(stored));
      if (!current || (current.object.metadata as JsonObject).generation !== generation) return;
      this.writeStatus(current, 'progressing');
      if (mode === 'manual') return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const latest = this.store.get(this.keyOf(stored));
        if (latest && (latest.object.metadata as JsonObject).generation === generation) this.writeStatus(latest, mode);
      }, this.readyDelayMs);
      this.timers.add(timer);
    };
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      progressing();
    }, 0);
    this.timers.add(timer);
  }

  /** What the workload controllers write to status. */
  private writeStatus(stored: Stored, phase: 'progressing' | Exclude<RolloutMode, 'manual'>): void {
    const metadata = stored.object.metadata as JsonObject;
    const spec = stored.object.spec as JsonObject;
    const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const previous = (stored.object.status ?? {}) as JsonObject;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const name = String(metadata.name);
    let status: JsonObject;
    if (stored.type.kind === 'StatefulSet') {
      const ready =
        phase === 'ready'
          ? desired
          : phase === 'progressing'
            ? Math.min(Number(previous.readyReplicas ?? 0), desired)
            : 0;
      const revision = `${name}-${String(metadata.generation)}`;
      status = {
        observedGeneration: metadata.generation,
        replicas: desired,
        readyReplicas: ready,
        availableReplicas: ready,
        currentReplicas: phase === 'ready' ? desired : Number(previous.currentReplicas ?? 0),
        updatedReplicas: phase === 'progressing' ? 0 : desired,
        currentRevision: phase === 'ready' ? revision : String(previous.currentRevision ?? ''),
        updateRevision: revision,
        collisionCount: 0,
      };
    } else {
      const ready = phase === 'ready';
      const available = ready
        ? desired
        : phase === 'progressing'
          ? Math.min(Number(previous.availableReplicas ?? 0), desired)
          : 0;
      const progressing =
        phase === 'deadline-exceeded'
          ? {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet "${name}-${metadata.generation}" has timed out progressing.`,
              lastUpdateTime: now,
              lastTransitionTime: now,
            }
          : {
              type: 'Progressing',
              status: 'True',
              reason: ready ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
              message: `ReplicaSet "${name}-${metadata.generation}" ${ready ? 'has successfully progressed' : 'is progressing'}.`,
              lastUpdateTime: now,
              lastTransitionTime: now,
            };
      status = {
        // The controller sees the new generation at once and creates the new pods; they become available later.
        observedGeneration: metadata.generation,
        replicas: phase === 'progressing' ? Math.max(desired, Number(previous.replicas ?? 0)) : desired,
        updatedReplicas: desired,
        readyReplicas: available,
        availableReplicas: available,
        ...(available < desired ? { unavailableReplicas: desired - available } : {}),
        conditions: [
          {
            type: 'Available',
            status: available >= desired ? 'True' : 'False',
            reason: available >= desired ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
            message:
              available >= desired
                ? 'Deployment has minimum availability.'
                : 'Deployment does not have minimum availability.',
            lastUpdateTime: now,
            lastTransitionTime: now,
          },
          progressing,
        ],
      };
    }
    const object = clone(stored.object);
    object.status = status;
    const { changed } = changedPaths(stored.object, object, { status: true });
    this.commit(
      stored.type,
      stored,
      object,
      {
        manager: CONTROLLER,
        operation: 'Update',
        paths: changed.filter((p) => p[0] === 'f:status'),
        subresource: 'status',
      },
      false,
    );
  }

  private view(stored: Stored): JsonObject {
    const object = clone(stored.object);
    const ordered: JsonObject = { apiVersion: groupVersion(stored.type), kind: stored.type.kind, ...object };
    const metadata = ordered.metadata as JsonObject;
    if (stored.managers.length) {
      metadata.managedFields = stored.managers.map((m) => ({
        manager: m.manager,
        operation: m.operation,
        apiVersion: m.apiVersion,
        time: m.time,
        fieldsType: 'FieldsV1',
        fieldsV1: toFieldsV1(m.fields.values()),
        ...(m.subresource ? { subresource: m.subresource } : {}),
      }));
    }
    return ordered;
  }

  private viewOf(type: ResourceType, stored: Stored): JsonObject {
    return this.view({ ...stored, type });
  }
}

/** Go's `omitempty`: the API server never returns empty labels, annotations, selectors, requests or limits. */
const OMIT_EMPTY = new Set(['labels', 'annotations', 'requests', 'limits', 'nodeSelector', 'matchLabels']);

function pruneEmptyMaps(node: Json, field = '', parentKind?: string): void {
  if (Array.isArray(node)) {
    for (const item of node) pruneEmptyMaps(item, '');
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    pruneEmptyMaps(value, key, typeof node.kind === 'string' ? node.kind : parentKind);
    const omit = OMIT_EMPTY.has(key) || (key === 'selector' && parentKind === 'Service' && field === 'spec');
    if (omit && isObject(value) && Object.keys(value).length === 0) delete node[key];
  }
}

function verbOf(method: string, named: boolean): Verb {
  switch (method) {
    case 'GET':
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return 'get';
  }
}

function notFoundPath(): [number, unknown] {
  throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

function invalid(
  type: ResourceType,
  name: string,
  causes: { field: string; reason: string; message: string }[],
): ApiError {
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new ApiError(
    422,
    'Invalid',
    `${type.kind}.${type.group ? `${type.group} ` : ''}"${name}" is invalid: ${causes.length > 1 ? `[${summary}]` : summary}`,
    {
      name,
      group: type.group,
      kind: type.kind,
      causes: causes as unknown as Json,
    },
  );
}

function defaultReason(code: number): string {
  return (
    (
      {
        400: 'BadRequest',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'NotFound',
        409: 'Conflict',
        410: 'Expired',
        422: 'Invalid',
        429: 'TooManyRequests',
        500: 'InternalError',
        503: 'ServiceUnavailable',
        504: 'Timeout',
      } as Record<number, string>
    )[code] ?? 'Unknown'
  );
}

function defaultMessage(code: number, record: RecordedRequest): string {
  const subject = record.name ? `${record.resource} "${record.name}"` : (record.resource ?? record.path);
  switch (code) {
    case 409:
      return `Operation cannot be fulfilled on ${subject}: the object has been modified; please apply your changes to the latest version and try again`;
    case 422:
      return `${subject} is invalid`;
    case 429:
      return 'Too many requests, please try again later.';
    case 500:
      return 'Internal error occurred: etcdserver: request timed out';
    case 503:
      return 'the server is currently unable to handle the request';
    case 504:
      return 'Timeout: request did not complete within the allowed duration';
    default:
      return `${defaultReason(code)}: ${subject}`;
  }
}

function matchesSelector(object: JsonObject, selector: string | null): boolean {
  if (!selector) return true;
  const labels = (((object.metadata as JsonObject).labels ?? {}) as Record<string, string>) ?? {};
  return selector.split(',').every((term) => {
    const t = term.trim();
    if (!t) return true;
    let m = /^([^!=]+)!=(.*)$/.exec(t);
    if (m) return labels[m[1].trim()] !== m[2].trim();
    m = /^([^!=]+)==?(.*)$/.exec(t);
    if (m) return labels[m[1].trim()] === m[2].trim();
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    return t in labels;
  });
}
