import { atMaxReplicas, autoscalers } from '../../budget/hpaWorstCase';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { amountOfBudget, resourceLabel, stateLabel, stateLocation } from './stateText';

export const hpaMaxExceeds: Rule<PlanContext> = {
  code: 'budget/hpa-max-exceeds',
  defaultSeverity: 'warning',
  where: "plan: `budget` or the phase's `name`",
  description:
    'With every HorizontalPodAutoscaler-targeted workload at its maxReplicas, requests or pods go over the budget.',
  check({ plan, analysis, policies = [] }, addFinding) {
    const budget = plan.budget;
    const hpas = autoscalers(policies);
    if (!budget || hpas.length === 0) return;
    for (const state of analysis.states) {
      const worst = atMaxReplicas(state, hpas, plan.namespace);
      if (!worst) continue;
      const over: string[] = [];
      // What the state itself breaks is already an error (requests-exceeded, pods-exceeded).
      for (const [resource, total] of Object.entries(budget.allocatable)) {
        const at = worst.requests[resource] ?? 0;
        if (at > total && (state.totals.requests[resource] ?? 0) <= total)
          over.push(`${resourceLabel(resource)} requests ${amountOfBudget(resource, at, total)}`);
      }
      if (budget.pods !== undefined && worst.pods > budget.pods && state.totals.pods <= budget.pods)
        over.push(`${worst.pods} pods, budget ${budget.pods} pods`);
      if (over.length === 0) continue;
      const scaled = worst.scaled.map((s) => `${s.workload.workload.name} ${s.maxReplicas}`).join(', ');
      addFinding({
        message: `${stateLabel(state)}: with autoscaled workloads at maxReplicas (${scaled}), ${over.join('; ')}.`,
        location: stateLocation(plan, state),
        related: worst.scaled.map((s) => ({
          location: s.hpa.location,
          message: `HorizontalPodAutoscaler ${s.hpa.name}: maxReplicas ${s.maxReplicas} for ${s.workload.workload.name}`,
        })),
      });
    }
  },
};
