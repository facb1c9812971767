import { namespaceOf } from '../../budget/resolve';
import type { SourceLocation } from '../../model/location';
import { selectorMatches } from '../../model/selector';
import type { ContainerModel, ContainerPort, WorkloadModel } from '../../model/manifest';
import type { PlanContext } from '../contexts';
import type { AddFinding, Rule } from '../types';
import { mergeChecks, refOf, addMergeFinding, type MergeCheck } from './helpers';

export const portConflict: Rule<PlanContext> = {
  code: 'merge/port-conflict',
  defaultSeverity: 'error',
  description: 'Two containers of one merged pod listen on the same port and protocol.',
  where: 'plan: the reference of the second workload',
  check(context, addFinding) {
    for (const check of mergeChecks(context)) {
      if (check.merge.strategy === 'replace') checkReplacePorts(check, addFinding);
      else checkPodPorts(check, addFinding);
    }
  },
};

function checkPodPorts(check: MergeCheck, addFinding: AddFinding): void {
  // Sources are told apart by id: two workloads may share a name (in two namespaces, two compose folders).
  const seen = new Map<string, { id: string; label: string; container: string; location: SourceLocation }>();
  const labelOf = sourceLabels(check);
  for (const source of check.sources) {
    for (const container of source.workload.containers) {
      for (const port of [...container.ports, ...servedPorts(check, source.workload, container)]) {
        const key = `${port.port}/${port.protocol}`;
        const first = seen.get(key);
        const label = labelOf.get(source.workload.id) ?? source.workload.name;
        if (!first) {
          seen.set(key, { id: source.workload.id, label, container: container.name, location: port.location });
          continue;
        }
        if (first.id === source.workload.id) continue; // within one workload: manifest/duplicate-port
        addMergeFinding(
          addFinding,
          check,
          `container ${container.name} of ${label} and container ${first.container} of ${first.label} both listen on ${key}; in one pod they share one network namespace.`,
          refOf(check, source),
          {
            related: [
              { location: port.location, message: `${container.name}: ${key}` },
              { location: first.location, message: `${first.container}: ${key}` },
            ],
          },
        );
      }
    }
  }
}

/**
 * The ports a container listens on without declaring them: a single-container workload that declares
 * no port but is selected by a Service listens where the Service sends (its numeric targetPort, else
 * its port). `containerPort` is informational in Kubernetes, so many manifests leave it out; two
 * such servers merged into one pod collide all the same.
 */
function servedPorts(check: MergeCheck, workload: WorkloadModel, container: ContainerModel): ContainerPort[] {
  if (workload.containers.length !== 1 || container.ports.length > 0) return [];
  const namespace = namespaceOf(workload, check.defaultNamespace);
  const out: ContainerPort[] = [];
  for (const entry of check.selecting) {
    const service = entry.model;
    if (
      !service?.selector ||
      namespaceOf(service, check.defaultNamespace) !== namespace ||
      !selectorMatches(service.selector, workload.podLabels)
    )
      continue;
    for (const port of service.ports) {
      const target =
        typeof port.targetPort === 'number' ? port.targetPort : port.targetPort === undefined ? port.port : undefined;
      if (target === undefined || out.some((p) => p.port === target)) continue;
      out.push({ port: target, protocol: 'TCP', location: service.nameLocation });
    }
  }
  return out;
}

/** Each source's name, with its namespace (or compose folder) when another source has the same name. */
function sourceLabels(check: MergeCheck): Map<string, string> {
  const labels = new Map<string, string>();
  for (const source of check.sources) {
    const w = source.workload;
    const shared = check.sources.some((s) => s.workload.id !== w.id && s.workload.name === w.name);
    const where =
      w.origin === 'compose'
        ? w.id.slice('compose:'.length, w.id.lastIndexOf('#'))
        : namespaceOf(w, check.defaultNamespace);
    labels.set(w.id, shared ? (w.origin === 'compose' ? `${w.name} (${where})` : `${where}/${w.name}`) : w.name);
  }
  return labels;
}

/** A replace merge's new container listing one port twice (its sources' ports are gone). */
function checkReplacePorts(check: MergeCheck, addFinding: AddFinding): void {
  const container = check.merge.container;
  if (!container) return;
  const counted = new Map<number, number>();
  for (const port of container.ports) counted.set(port, (counted.get(port) ?? 0) + 1);
  for (const [port, count] of counted) {
    if (count < 2) continue;
    addMergeFinding(
      addFinding,
      check,
      `the merge's container lists port ${port}/TCP ${count === 2 ? 'twice' : `${count} times`}; a container port is declared once.`,
      check.merge.nameLocation,
      {
        related: [{ location: container.location, message: `container of ${check.merge.name}` }],
      },
    );
  }
}
