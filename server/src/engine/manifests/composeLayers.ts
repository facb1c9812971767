import type { ResourceList } from '../model/resources';
import type { ContainerModel, ContainerPort, QuantityField, WorkloadModel } from '../model/manifest';

/** Resource fields of one service by spelling: `deploy.resources.*` or the service-level `mem_limit`/`cpus`/`mem_reservation`. */
export interface ResourceSpellings {
  deploy: Record<string, QuantityField>;
  service: Record<string, QuantityField>;
}

/** What decides whether a compose service is one-shot work (see runModeOf). */
export interface ComposeRunFacts {
  /** `deploy.restart_policy.condition` as written (interpolated), when written. */
  condition?: string;
  /** `restart` as written (interpolated; YAML 1.1 `no` read as "no"), when written. */
  restart?: string;
  /** A job `deploy.mode` (`replicated-job`, `global-job`), when written. */
  jobMode?: string;
  ports: boolean;
  expose: boolean;
  healthcheck: boolean;
  /** Services this one waits for with `depends_on: {X: {condition: service_completed_successfully}}`. */
  waitsForCompletionOf: string[];
}

/** Whether a compose service runs steadily, and why, in words a hover can show. */
export interface ComposeRunMode {
  steady: boolean;
  reason: string;
}

/** What the reader saw that the workload model does not carry, needed to layer files the way compose does. */
export interface ComposeServiceFacts {
  /** True when `restart`, `deploy.restart_policy.condition` or a job `deploy.mode` is written. */
  restartDeclared: boolean;
  environment: Record<string, string>;
  limits: ResourceSpellings;
  requests: ResourceSpellings;
  run?: ComposeRunFacts;
  /** The run mode the workload's `steady` was set from. */
  mode?: ComposeRunMode;
}

const JOB_CONDITION = 'service_completed_successfully';

/**
 * The one-shot rule. A compose service is one-shot work (a job, not steady-state load) when another
 * service depends on it with `condition: service_completed_successfully`, or when its restart policy
 * (`deploy.restart_policy.condition` over `restart`, as Compose does: `none` = "no", `any` = always)
 * is "no" or `on-failure[:N]` and it declares no `ports`, no `expose` and no `healthcheck`. A job
 * `deploy.mode` (`replicated-job`, `global-job`) is one-shot too. Everything else runs steadily; a
 * service with no restart policy written counts as long-running.
 */
export function runModeOf(run: ComposeRunFacts, completedBy: string | undefined): ComposeRunMode {
  if (run.jobMode) return { steady: false, reason: `its deploy.mode is ${run.jobMode}` };
  if (completedBy)
    return { steady: false, reason: `${completedBy} waits for it to finish (depends_on condition ${JOB_CONDITION})` };
  const policy = restartPolicy(run);
  if (!policy) return { steady: true, reason: 'no restart policy is written (counted as long-running)' };
  const oneShotPolicy = policy.value === 'no' || policy.value === 'on-failure';
  if (!oneShotPolicy) return { steady: true, reason: `its restart policy is ${policy.value} (${policy.written})` };
  const serving = [run.ports ? 'ports' : '', run.expose ? 'expose' : '', run.healthcheck ? 'a healthcheck' : ''].filter(
    Boolean,
  );
  if (serving.length)
    return {
      steady: true,
      reason: `it declares ${serving.join(', ')}, although its restart policy is ${policy.value} (${policy.written})`,
    };
  return {
    steady: false,
    reason: `its restart policy is ${policy.value} (${policy.written}) and it declares no ports, expose or healthcheck`,
  };
}

/** The restart policy Compose applies: the deploy condition over `restart`, in `restart`'s words. */
function restartPolicy(run: ComposeRunFacts): { value: string; written: string } | undefined {
  if (run.condition) {
    const value = run.condition === 'none' ? 'no' : run.condition === 'any' ? 'always' : run.condition;
    return { value, written: `deploy.restart_policy.condition: ${run.condition}` };
  }
  if (run.restart) return { value: run.restart.split(':')[0].trim(), written: `restart: ${run.restart}` };
  return undefined;
}

/** For each service name, the first service that waits for it to complete successfully. */
export function completedByOf(services: { name: string; run?: ComposeRunFacts }[]): Map<string, string> {
  const completedBy = new Map<string, string>();
  for (const service of services) {
    for (const target of service.run?.waitsForCompletionOf ?? [])
      if (!completedBy.has(target)) completedBy.set(target, service.name);
  }
  return completedBy;
}

/** Why a compose service counts as steady or as a job (for hovers), when it was read here. */
export function composeRunModeOf(workload: WorkloadModel): ComposeRunMode | undefined {
  return factsByWorkload.get(workload)?.mode;
}

const factsByWorkload = new WeakMap<WorkloadModel, ComposeServiceFacts>();

export function rememberComposeFacts(workload: WorkloadModel, facts: ComposeServiceFacts): void {
  factsByWorkload.set(workload, facts);
}

/** The `environment` of a compose service (layered when it came from layerComposeWorkloads), if it was read here. */
export function composeEnvironmentOf(workload: WorkloadModel): Record<string, string> | undefined {
  return factsByWorkload.get(workload)?.environment;
}

/** The deploy spelling wins over the service-level one, resource by resource. */
export function effectiveFields(spellings: ResourceSpellings): Record<string, QuantityField> {
  return { ...spellings.service, ...spellings.deploy };
}

export function validValues(fields: Record<string, QuantityField>): ResourceList {
  const values: ResourceList = {};
  for (const [resource, field] of Object.entries(fields)) {
    if (field.value !== undefined) values[resource] = field.value;
  }
  return values;
}

/** The same port (number and protocol) once, first occurrence kept. */
export function uniquePorts(ports: ContainerPort[]): ContainerPort[] {
  const seen = new Set<string>();
  return ports.filter((port) => {
    const key = `${port.port}/${port.protocol}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Layered compose files (`-f a.yml -f b.yml`): services with the same id (same name, files of the
 * same folder) are merged in the order given, later files overriding earlier ones field by field:
 * image, ports (appended, de-duplicated), environment (merged), labels (merged), replicas, restart,
 * and each resource field (`deploy.resources` still winning over `mem_limit`/`cpus`/`mem_reservation`
 * after the merge). Kubernetes workloads pass through unchanged. The inputs are not modified.
 */
export function layerComposeWorkloads(workloads: WorkloadModel[]): WorkloadModel[] {
  return withRunModes(layerServices(workloads));
}

/**
 * The one-shot rule again over the layered services of each folder: a service of one file may wait
 * for the completion of a service of another (an override file's `depends_on`).
 */
function withRunModes(workloads: WorkloadModel[]): WorkloadModel[] {
  const folderOf = (w: WorkloadModel) => w.id.slice(0, w.id.lastIndexOf('#'));
  const byFolder = new Map<string, { name: string; run?: ComposeRunFacts }[]>();
  for (const w of workloads) {
    if (w.origin !== 'compose') continue;
    const list = byFolder.get(folderOf(w)) ?? [];
    list.push({ name: w.name, run: factsByWorkload.get(w)?.run });
    byFolder.set(folderOf(w), list);
  }
  const completedBy = new Map([...byFolder].map(([folder, services]) => [folder, completedByOf(services)]));
  return workloads.map((w) => {
    const facts = w.origin === 'compose' ? factsByWorkload.get(w) : undefined;
    if (!facts?.run) return w;
    const mode = runModeOf(facts.run, completedBy.get(folderOf(w))?.get(w.name));
    if (mode.steady === w.steady && mode.reason === facts.mode?.reason) return w;
    const copy = { ...w, steady: mode.steady };
    rememberComposeFacts(copy, { ...facts, mode });
    return copy;
  });
}

function layerServices(workloads: WorkloadModel[]): WorkloadModel[] {
  const result: WorkloadModel[] = [];
  const composeIndex = new Map<string, number>();
  for (const workload of workloads) {
    const earlier = workload.origin === 'compose' ? composeIndex.get(workload.id) : undefined;
    if (earlier === undefined) {
      if (workload.origin === 'compose') composeIndex.set(workload.id, result.length);
      result.push(workload);
    } else {
      result[earlier] = mergeService(result[earlier], workload);
    }
  }
  return result;
}

function mergeService(base: WorkloadModel, over: WorkloadModel): WorkloadModel {
  const baseFacts = factsOf(base);
  const overFacts = factsOf(over);
  const facts: ComposeServiceFacts = {
    restartDeclared: baseFacts.restartDeclared || overFacts.restartDeclared,
    environment: { ...baseFacts.environment, ...overFacts.environment },
    limits: mergeSpellings(baseFacts.limits, overFacts.limits),
    requests: mergeSpellings(baseFacts.requests, overFacts.requests),
    run: mergeRun(baseFacts.run, overFacts.run),
  };
  const overridesReplicas = over.replicasLocation !== undefined;
  const merged: WorkloadModel = {
    ...base,
    replicas: overridesReplicas ? over.replicas : base.replicas,
    replicasLocation: overridesReplicas ? over.replicasLocation : base.replicasLocation,
    steady: overFacts.restartDeclared ? over.steady : base.steady,
    podLabels: { ...base.podLabels, ...over.podLabels },
    containers: [mergeContainer(base.containers[0], over.containers[0], facts)].filter((c): c is ContainerModel => !!c),
  };
  rememberComposeFacts(merged, facts);
  return merged;
}

function mergeContainer(
  base: ContainerModel | undefined,
  over: ContainerModel | undefined,
  facts: ComposeServiceFacts,
): ContainerModel | undefined {
  if (!base || !over) return base ?? over;
  const limitFields = effectiveFields(facts.limits);
  const requestFields = effectiveFields(facts.requests);
  const overDeclaresResources = Object.keys(over.limitFields).length + Object.keys(over.requestFields).length > 0;
  return {
    ...base,
    image: over.image ?? base.image,
    ports: uniquePorts([...base.ports, ...over.ports]),
    limitFields,
    requestFields,
    limits: validValues(limitFields),
    requests: validValues(requestFields),
    resourcesLocation: overDeclaresResources ? over.resourcesLocation : base.resourcesLocation,
  };
}

/** Restart settings: the later file's when written; what a service serves accumulates, as ports do. */
function mergeRun(base: ComposeRunFacts | undefined, over: ComposeRunFacts | undefined): ComposeRunFacts | undefined {
  if (!base || !over) return over ?? base;
  return {
    condition: over.condition ?? base.condition,
    restart: over.restart ?? base.restart,
    jobMode: over.jobMode ?? base.jobMode,
    ports: base.ports || over.ports,
    expose: base.expose || over.expose,
    healthcheck: base.healthcheck || over.healthcheck,
    waitsForCompletionOf: [...new Set([...base.waitsForCompletionOf, ...over.waitsForCompletionOf])],
  };
}

function mergeSpellings(base: ResourceSpellings, over: ResourceSpellings): ResourceSpellings {
  return { deploy: { ...base.deploy, ...over.deploy }, service: { ...base.service, ...over.service } };
}

/** Facts recorded by the reader; for a workload built elsewhere, what can be inferred from the model. */
function factsOf(workload: WorkloadModel): ComposeServiceFacts {
  const known = factsByWorkload.get(workload);
  if (known) return known;
  const container = workload.containers[0];
  return {
    restartDeclared: !workload.steady,
    environment: {},
    limits: { deploy: { ...container?.limitFields }, service: {} },
    requests: { deploy: { ...container?.requestFields }, service: {} },
  };
}
