import { podResourcesInPlan } from '../../budget/states';
import { formatQuantityForResource } from '../../quantity';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { mergeChecks, addMergeFinding } from './helpers';

export const noSavings: Rule<PlanContext> = {
  code: 'merge/no-savings',
  defaultSeverity: 'hint',
  description: 'What a merge saves in pods, CPU and memory requests.',
  where: "plan: the merge's `name`",
  check(context, addFinding) {
    const checks = mergeChecks(context);
    if (checks.length === 0) return;
    // Per-pod resources as the budget computes them (LimitRanges, overheads).
    const perPod = podResourcesInPlan(context.plan, context.limitRanges ?? []);
    for (const check of checks) {
      const after = check.after.workloads.find((w) => w.merge?.spec === check.merge);
      if (!after || !after.workload.steady) continue;
      // The sources as the merge takes them: after this phase's scale and resize steps.
      const sources = check.sources
        .filter((s) => s.workload.steady)
        .map((s) => ({ pods: s.workload.replicas, perPod: perPod(s.workload) }));
      const pods = sources.reduce((n, s) => n + s.pods, 0) - after.pods;
      const saved = (resource: string) =>
        sources.reduce((n, s) => n + (s.perPod.requests[resource] ?? 0) * s.pods, 0) -
        (after.perPod.requests[resource] ?? 0) * after.pods;
      const cpu = saved('cpu');
      const memory = saved('memory');
      const change = (resource: string, value: number) =>
        `${value > 0 ? '−' : value < 0 ? '+' : ''}${formatQuantityForResource(resource, Math.abs(value))} ${resource === 'cpu' ? 'CPU' : resource}`;
      const note =
        check.merge.strategy === 'pod'
          ? ' A pod merge keeps every container and its resources: it saves pods and per-pod overhead, not requests.'
          : '';
      const podText =
        pods >= 0 ? `saves ${pods} pod${pods === 1 ? '' : 's'}` : `adds ${-pods} pod${pods === -1 ? '' : 's'}`;
      addMergeFinding(
        addFinding,
        check,
        `${podText}; requests change by ${change('cpu', cpu)} and ${change('memory', memory)}.${note}`,
        check.merge.nameLocation,
      );
    }
  },
};
