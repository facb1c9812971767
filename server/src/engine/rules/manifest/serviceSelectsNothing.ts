import { namespaceOf } from '../../budget/resolve';
import type { ManifestSetContext } from '../contexts';
import type { Rule } from '../types';
import { PodLabelIndex } from '../../model/podLabelIndex';

export const serviceSelectsNothing: Rule<ManifestSetContext> = {
  code: 'manifest/service-selects-nothing',
  defaultSeverity: 'warning',
  where: 'manifest: the Service',
  description: 'A Service selector matches no pod of any workload checked with it.',
  check({ services, workloads, defaultNamespace }, addFinding) {
    // Pods by namespace and label, so a workspace of thousands of Services stays linear.
    const pods = new PodLabelIndex(workloads, defaultNamespace);
    for (const service of services) {
      const selector = service.selector;
      if (!selector || Object.keys(selector).length === 0) continue;
      const namespace = namespaceOf(service, defaultNamespace);
      if (pods.selectsAny(selector, namespace)) continue;
      addFinding({
        message: `Service ${service.name} selects ${Object.entries(selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}: no pod in namespace ${namespace} has these labels.`,
        location: service.selectorLocation ?? service.nameLocation,
      });
    }
  },
};
