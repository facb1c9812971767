import type { ResourceList } from '../model/resources';
import type { ContainerModel, ContainerPort, QuantityField, WorkloadModel } from '../model/workspace';

/** Resource fields of one service by spelling: `deploy.resources.*` or the service-level `mem_limit`/`cpus`/`mem_reservation`. */
export interface ResourceSpellings {
  deploy: Record<string, QuantityField>;
  service: Record<string, QuantityField>;
}

/** What the reader saw that the workload model does not carry, needed to layer files the way compose does. */
export interface ComposeServiceFacts {
  /** True when `restart`, `deploy.restart_policy.condition` or a job `deploy.mode` is written. */
  restartDeclared: boolean;
  environment: Record<string, string>;
  limits: ResourceSpellings;
  requests: ResourceSpellings;
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

function mergeContainer(base: ContainerModel | undefined, over: ContainerModel | undefined, facts: ComposeServiceFacts): ContainerModel | undefined {
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
