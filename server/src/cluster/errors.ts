import { formatDuration } from './duration';

/** What went wrong, in the terms a user acts on. */
export type ClusterErrorKind =
  | 'config'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'already-exists'
  | 'invalid'
  | 'bad-request'
  | 'too-many-requests'
  | 'server'
  | 'unavailable'
  | 'timeout'
  | 'connection'
  | 'cancelled'
  | 'rollout-failed'
  | 'precondition'
  | 'unknown';

/** The request that failed, named as RBAC names it. */
export interface Operation {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'apply' | 'watch';
  /** Plural resource, with the subresource: `deployments`, `deployments/scale`. */
  resource: string;
  group: string;
  namespace?: string;
  name?: string;
  kind?: string;
}

export interface FieldConflict {
  manager: string;
  field: string;
}

export interface ErrorContext {
  server?: string;
  context?: string;
  requestTimeoutMs?: number;
}

export class ClusterError extends Error {
  readonly kind: ClusterErrorKind;
  readonly status?: number;
  readonly operation?: Operation;
  /** The API server's own message (a Status body's `message`), when it gave one. */
  readonly serverMessage?: string;
  readonly causes: { field?: string; message?: string; reason?: string }[];
  /** For 409s of server-side apply: who owns which field. */
  readonly conflicts: FieldConflict[];
  /** Worth retrying (429, 5xx, lost connections, timeouts). */
  readonly transient: boolean;
  /** Seconds the server asked to wait (Retry-After). */
  readonly retryAfterSeconds?: number;
  /** Where in the plan the failing object comes from: `plan.yaml:21`. Set by the orchestration. */
  planLocation?: string;
  attempts = 1;

  constructor(
    kind: ClusterErrorKind,
    message: string,
    extra: Partial<
      Pick<
        ClusterError,
        'status' | 'operation' | 'serverMessage' | 'causes' | 'conflicts' | 'transient' | 'retryAfterSeconds'
      >
    > = {},
  ) {
    super(redact(message));
    this.name = 'ClusterError';
    this.kind = kind;
    this.status = extra.status;
    this.operation = extra.operation;
    this.serverMessage = extra.serverMessage === undefined ? undefined : redact(extra.serverMessage);
    this.causes = extra.causes ?? [];
    this.conflicts = extra.conflicts ?? [];
    this.transient = extra.transient ?? false;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }

  /** The message with its plan line, when known. */
  get fullMessage(): string {
    return this.planLocation ? `${this.planLocation}: ${this.message}` : this.message;
  }
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/** `patch deployments/scale "api" in namespace ops` */
export function describeOperation(op: Operation): string {
  const what = `${op.resource}${op.name ? ` "${op.name}"` : ''}`;
  const group = op.group ? ` (API group ${op.group})` : '';
  const where = op.namespace ? ` in namespace ${op.namespace}` : '';
  return `${op.verb} ${what}${group}${where}`;
}

function subjectOf(op: Operation): string {
  if (op.kind && op.name) return `${op.kind} ${op.namespace ? `${op.namespace}/` : ''}${op.name}`;
  return `${op.resource}${op.namespace ? ` in namespace ${op.namespace}` : ''}`;
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    kind?: string;
    group?: string;
    causes?: { field?: string; message?: string; reason?: string }[];
  };
}

function parseStatus(body: unknown): StatusBody | undefined {
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      const text = (body as string).trim();
      return text ? { message: text.slice(0, 500) } : undefined;
    }
  }
  return typeof body === 'object' && body !== null ? (body as StatusBody) : undefined;
}

/** `conflict with "helm" using apps/v1` → helm */
function managerOf(message: string | undefined): string {
  return /conflict with "([^"]+)"/.exec(message ?? '')?.[1] ?? 'another field manager';
}

/**
 * Who owns which field, from a 409's causes; a cause without a field takes it from the message
 * (`conflict with "helm" using apps/v1: .spec.replicas`, in the cause or the Status message).
 */
function fieldConflicts(
  causes: { field?: string; message?: string; reason?: string }[],
  serverMessage: string | undefined,
): FieldConflict[] {
  const fromMessage = [...(serverMessage ?? '').matchAll(/conflict with "([^"]+)"(?: using [^\s:]+)?: ?([^\n]+)/g)].map(
    (m) => ({ manager: m[1], field: m[2].trim() }),
  );
  const taken = new Set<number>();
  const fieldCauses = causes.filter((c) => c.reason === 'FieldManagerConflict');
  if (fieldCauses.length === 0) return fromMessage;
  return fieldCauses.map((c) => {
    const manager = managerOf(c.message);
    const inCause = /conflict with "[^"]+"(?: using [^\s:]+)?: ?(\S[^\n]*)/.exec(c.message ?? '')?.[1];
    let field = c.field || inCause;
    if (!field) {
      const index = fromMessage.findIndex((m, i) => !taken.has(i) && m.manager === manager);
      if (index >= 0) {
        taken.add(index);
        field = fromMessage[index].field;
      }
    }
    return { manager, field: field ?? '?' };
  });
}

/**
 * Turns whatever client-node threw (ApiException, a fetch error, an abort) into a ClusterError
 * with a message that says what was refused and what to do.
 */
export function toClusterError(
  error: unknown,
  op: Operation,
  context: ErrorContext & { timedOut?: boolean; cancelled?: boolean } = {},
): ClusterError {
  if (error instanceof ClusterError) return error;
  const what = describeOperation(op);
  const subject = subjectOf(op);
  const server = context.server ?? 'the API server';
  if (context.cancelled) return new ClusterError('cancelled', `Cancelled while trying to ${what}.`, { operation: op });
  const e = error as {
    name?: string;
    code?: unknown;
    body?: unknown;
    headers?: Record<string, string>;
    type?: string;
    message?: string;
    cause?: { code?: string };
  };
  if (context.timedOut || e?.name === 'AbortError' || e?.type === 'aborted') {
    const after = context.requestTimeoutMs ? ` within ${formatDuration(context.requestTimeoutMs)}` : '';
    return new ClusterError('timeout', `The API server at ${server} did not answer${after} (trying to ${what}).`, {
      operation: op,
      transient: true,
    });
  }
  if (typeof e?.code === 'number') {
    const status = e.code;
    const body = parseStatus(e.body);
    const serverMessage = body?.message;
    const causes = body?.details?.causes ?? [];
    const retryAfter = Number(e.headers?.['retry-after']);
    const extra = {
      status,
      operation: op,
      serverMessage,
      causes,
      retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
    };
    const said = serverMessage
      ? ` The API server said: ${/[.!?]$/.test(serverMessage) ? serverMessage : `${serverMessage}.`}`
      : '';
    switch (status) {
      case 400:
        return new ClusterError(
          'bad-request',
          `The API server refused the request to ${what} as malformed (400 Bad Request).${said}`,
          extra,
        );
      case 401:
        return new ClusterError(
          'unauthorized',
          `The API server at ${server} did not accept the credentials of context "${context.context ?? '?'}" (401 Unauthorized) when trying to ${what}. Log in again or refresh the token (exec and token auth come from the kubeconfig).`,
          extra,
        );
      case 403: {
        const [resource, subresource] = op.resource.split('/');
        const rbac = `RBAC refused to let you ${op.verb === 'apply' ? 'patch' : op.verb} "${op.resource}" (API group "${op.group}")${op.namespace ? ` in namespace ${op.namespace}` : ''} (403 Forbidden).`;
        const hint = ` Ask for a Role that grants "${op.verb === 'apply' ? 'patch' : op.verb}" on "${subresource ? `${resource}/${subresource}` : resource}" (docs/apply.md lists every permission this needs).`;
        return new ClusterError('forbidden', `${rbac}${said}${hint}`, extra);
      }
      case 404: {
        const namespace = /^namespaces "([^"]+)" not found/.exec(serverMessage ?? '')?.[1];
        if (namespace)
          return new ClusterError(
            'not-found',
            `Namespace ${namespace} does not exist in the cluster (404 Not Found), so ${subject} cannot be written there: create the namespace first.`,
            extra,
          );
        if (serverMessage === 'the server could not find the requested resource' || !op.name) {
          return new ClusterError(
            'not-found',
            `The API server does not serve ${op.resource}${op.group ? ` (API group ${op.group})` : ''} (404 Not Found).`,
            extra,
          );
        }
        return new ClusterError(
          'not-found',
          `${subject} was not found (404 Not Found) when trying to ${op.verb} it.`,
          extra,
        );
      }
      case 409: {
        if (body?.reason === 'AlreadyExists')
          return new ClusterError('already-exists', `${subject} already exists (409 AlreadyExists).`, extra);
        const conflicts = fieldConflicts(causes, serverMessage);
        if (conflicts.length > 0 || /conflict with "/.test(serverMessage ?? '')) {
          const list = conflicts.length ? conflicts : [{ manager: managerOf(serverMessage), field: '?' }];
          const owners = list.map((c) => `${c.field} is owned by "${c.manager}"`).join('; ');
          return new ClusterError(
            'conflict',
            `Conflict (409) applying ${subject}: ${owners}. This tool does not take over fields that another manager owns: change them through that manager, or choose to force after reviewing the conflict.`,
            { ...extra, conflicts: list },
          );
        }
        return new ClusterError(
          'conflict',
          `Conflict (409) on ${subject}: it was changed by someone else meanwhile (its resourceVersion moved on); nothing was overwritten.${said}`,
          extra,
        );
      }
      case 410:
        return new ClusterError(
          'conflict',
          `The API server's view moved on (410 Gone) while trying to ${what}.${said}`,
          { ...extra, transient: true },
        );
      case 422: {
        const fields = causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message ?? c.reason ?? ''}`).join('; ');
        return new ClusterError(
          'invalid',
          `The API server rejected ${subject} as invalid (422): ${fields || serverMessage || 'no reason given'}`,
          extra,
        );
      }
      case 429:
        return new ClusterError(
          'too-many-requests',
          `The API server is throttling requests (429 Too Many Requests) when trying to ${what}.${said}`,
          { ...extra, transient: true },
        );
      case 500:
      case 502:
      case 503:
      case 504: {
        const name = {
          500: 'Internal Server Error',
          502: 'Bad Gateway',
          503: 'Service Unavailable',
          504: 'Gateway Timeout',
        }[status];
        return new ClusterError(
          status === 503 ? 'unavailable' : 'server',
          `The API server failed (${status} ${name}) when trying to ${what}.${said}`,
          { ...extra, transient: true },
        );
      }
      default:
        return new ClusterError(
          status >= 500 ? 'server' : 'unknown',
          `The API server answered ${status} when trying to ${what}.${said}`,
          { ...extra, transient: status >= 500 },
        );
    }
  }
  const code = typeof e?.code === 'string' ? e.code : e?.cause?.code;
  if (code && RETRYABLE_CODES.has(code)) {
    const lost =
      code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `Could not connect to the API server at ${server}`
        : `Lost the connection to the API server at ${server}`;
    return new ClusterError('connection', `${lost} (${code}) when trying to ${what}.`, {
      operation: op,
      transient: true,
    });
  }
  if (e?.name === 'FetchError' || /socket hang up|ECONNRESET|network/i.test(e?.message ?? '')) {
    return new ClusterError(
      'connection',
      `Lost the connection to the API server at ${server} when trying to ${what}: ${firstLine(e?.message)}.`,
      { operation: op, transient: true },
    );
  }
  if (/Unrecognized API version and kind/.test(e?.message ?? '')) {
    return new ClusterError(
      'not-found',
      `The API server does not serve ${op.kind ?? op.resource} (${op.group || 'core'} API group).`,
      { operation: op },
    );
  }
  return new ClusterError('unknown', `Could not ${what}: ${firstLine(e?.message ?? String(error))}`, { operation: op });
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0].slice(0, 300);
}

/** Bearer tokens, passwords and client keys never reach a log. */
export function redact(text: string): string {
  return text
    .replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 [redacted]')
    .replace(
      /("?(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token|access-token)"?\s*[:=]\s*)"?[^\s",}]+"?/gi,
      '$1[redacted]',
    );
}

export interface RetryOptions {
  /** How many tries in all (default 5). */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
  onRetry?: (error: ClusterError, attempt: number, delayMs: number) => void;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, initialDelayMs: 250, maxDelayMs: 5000 };

/** Runs `fn`, retrying transient ClusterErrors with exponential backoff (and jitter), a bounded number of times. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: Partial<RetryOptions> = {},
): Promise<T> {
  const { attempts, initialDelayMs, maxDelayMs, signal, onRetry } = { ...DEFAULT_RETRY, ...options };
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!(error instanceof ClusterError) || !error.transient || attempt >= attempts || signal?.aborted) {
        if (error instanceof ClusterError) {
          error.attempts = attempt;
          if (error.transient && attempt > 1) error.message += ` (gave up after ${attempt} attempts)`;
        }
        throw error;
      }
      const backoff = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
      const delay = Math.min(
        maxDelayMs,
        Math.max(backoff / 2 + Math.random() * (backoff / 2), (error.retryAfterSeconds ?? 0) * 1000),
      );
      onRetry?.(error, attempt, delay);
      await abortableDelay(delay, signal);
    }
  }
}

/** Resolves after `ms`, or rejects with a cancelled ClusterError when the signal aborts first. */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ClusterError('cancelled', 'Cancelled.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ClusterError('cancelled', 'Cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
