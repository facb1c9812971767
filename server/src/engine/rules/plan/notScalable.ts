import { asChange, removeMapEntry } from '../../plan/planEdits';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';

/**
 * `scale` sets the replicas of long-running workloads. On one-shot work (Jobs, CronJobs, one-shot compose
 * services), a DaemonSet or a bare Pod it would render an object the report does not count (a running
 * Deployment for a job) or one the API server rejects; the step is left out of the phase.
 */
export const notScalable: Rule<PlanContext> = {
  code: 'plan/not-scalable',
  defaultSeverity: 'error',
  where: 'plan: the reference in `scale`',
  description:
    'A scale step names a workload that has no replicas: one-shot work (Job, CronJob, one-shot compose service), a DaemonSet or a bare Pod.',
  check({ analysis, plan, planText }, addFinding) {
    for (const fact of analysis.unscalable) {
      const { workload, step } = fact;
      const only = plan.phases.find((p) => p.name === fact.phase)?.scale.length === 1;
      const instead = !workload.steady
        ? step.replicas === 0
          ? ` To stop it, \`remove\` it.`
          : ''
        : workload.kind === 'DaemonSet'
          ? ' Its pod count follows the nodes.'
          : '';
      addFinding({
        message: `Phase ${fact.phase}: cannot scale ${workload.name}: ${fact.reason}. \`scale\` sets the replicas of Deployments, StatefulSets, ReplicaSets and long-running compose services.${instead}`,
        location: step.ref.location,
        related: [{ location: workload.nameLocation, message: `${workload.kind} ${workload.name}` }],
        data: {
          fix: 'edits',
          actions: [
            {
              title: `Remove this scale step`,
              changes: [asChange(removeMapEntry(planText, step.ref.location.range, step.location.range, only))],
            },
          ],
        },
      });
    }
  },
};
