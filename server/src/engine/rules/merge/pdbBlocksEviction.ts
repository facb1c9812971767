import { disruptionFact } from '../../budget/disruption';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { stateLabel, stateLocation } from '../budget/stateText';

export const pdbBlocksEviction: Rule<PlanContext> = {
  code: 'merge/pdb-blocks-eviction',
  defaultSeverity: 'warning',
  where: "plan: the phase's `name`",
  description:
    'After a phase, a PodDisruptionBudget allows no eviction of the pods it selects (minAvailable at least their count, or maxUnavailable 0): every node drain blocks.',
  check({ plan, analysis, policies = [] }, addFinding) {
    const pdbs = policies.filter((p) => p.kind === 'PodDisruptionBudget');
    if (pdbs.length === 0) return;
    analysis.states.forEach((state, index) => {
      if (!state.phase) return;
      const previous = analysis.states[index - 1];
      for (const pdb of pdbs) {
        const fact = disruptionFact(pdb, state, plan.namespace);
        if (!fact?.blocks) continue;
        // Reported after the phase that changes what it selects, not again after every later phase.
        const before = disruptionFact(pdb, previous, plan.namespace);
        if (before && before.pods === fact.pods && sameWorkloads(before.selected, fact.selected)) continue;
        const names = fact.selected.map((w) => w.workload.name).join(', ');
        const rule =
          fact.field === 'minAvailable' ? `needs minAvailable ${fact.value}` : `allows maxUnavailable ${fact.value}`;
        const advice =
          fact.field === 'minAvailable'
            ? 'Lower minAvailable or keep more replicas.'
            : 'Allow maxUnavailable 1 or more.';
        addFinding({
          message: `${stateLabel(state)}: PodDisruptionBudget ${pdb.name} ${rule} of the ${fact.pods} pod${fact.pods === 1 ? '' : 's'} it selects (${names}): no pod can be evicted, so every node drain blocks. ${advice}`,
          location: stateLocation(plan, state),
          related: [
            { location: pdb.location, message: `PodDisruptionBudget ${pdb.name}: ${fact.field} ${pdb[fact.field]}` },
          ],
        });
      }
    });
  },
};

function sameWorkloads(a: { workload: { id: string } }[], b: { workload: { id: string } }[]): boolean {
  return a.length === b.length && a.every((w, i) => w.workload.id === b[i].workload.id);
}
