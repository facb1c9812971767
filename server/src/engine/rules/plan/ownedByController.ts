import type { SourceLocation } from '../../model/location';
import { ownerOf, type OwnerController, type OwnerInfo } from '../../model/owners';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

export const ownedByController: Rule<PlanContext> = {
  code: 'plan/owned-by-controller',
  defaultSeverity: 'information',
  where: "plan: the phase's `name`",
  description:
    'A phase touches objects that Helm, Argo CD or Flux manage: a change applied to the cluster is reverted by the controller.',
  check({ analysis, owners, merges = [] }, addFinding) {
    // Per phase: the controllers that own what it touches, and the workloads and Services of each.
    const byPhase = new Map<
      string,
      { location: SourceLocation; controllers: Map<OwnerController, { names: Set<string>; sources: Set<string> }> }
    >();
    const add = (phaseName: string, location: SourceLocation, owner: OwnerInfo, name: string) => {
      let entry = byPhase.get(phaseName);
      if (!entry) byPhase.set(phaseName, (entry = { location, controllers: new Map() }));
      let controller = entry.controllers.get(owner.controller);
      if (!controller) entry.controllers.set(owner.controller, (controller = { names: new Set(), sources: new Set() }));
      controller.names.add(name);
      if (owner.source) controller.sources.add(owner.source);
    };
    for (const fact of analysis.references) {
      if (fact.resolution.status !== 'found') continue;
      const owner = owners?.get(fact.resolution.workload.id);
      if (!owner) continue;
      const phase = analysis.states.find((s) => s.phase?.name === fact.phase)?.phase;
      if (phase) add(fact.phase, phase.nameLocation, owner, fact.resolution.workload.name);
    }
    // A merge re-points the Services that selected its sources: their selectors change too.
    for (const { phase, selecting } of merges) {
      for (const service of selecting) {
        const owner = ownerOf(service.object.metadata);
        if (owner) add(phase.name, phase.nameLocation, owner, `Service ${String(service.object.metadata.name)}`);
      }
    }
    for (const [phase, { location, controllers }] of byPhase) {
      const parts = [...controllers].map(
        ([controller, { names, sources }]) =>
          `${controller}${sources.size ? ` (${[...sources].join(', ')})` : ''} owns ${[...names].join(', ')}`,
      );
      addFinding({
        message: `Phase "${phase}" touches objects another controller manages: ${parts.join('; ')}. Applied to the cluster, the change is reverted (self-heal, next sync or upgrade): make it in Git (the overlay, the chart values) instead.`,
        location,
      });
    }
  },
};
