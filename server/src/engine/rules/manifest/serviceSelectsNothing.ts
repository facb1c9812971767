import { namespaceOf } from '../../budget/resolve';
import type { WorkloadModel } from '../../model/manifest';
import type { ManifestSetContext } from '../contexts';
import type { Rule } from '../types';
import { selectorMatches } from '../../model/selector';

export const serviceSelectsNothing: Rule<ManifestSetContext> = {
  code: 'manifest/service-selects-nothing',
  defaultSeverity: 'warning',
  where: 'manifest: the Service',
  description: 'A Service selector matches no pod of any workload checked with it.',
  check({ services, workloads, defaultNamespace }, addFinding) {
    // Index pods by namespace and label so a workspace of thousands of Services stays linear.
    const byLabel = new Map<string, WorkloadModel[]>();
    for (const w of workloads) {
      if (w.origin !== 'kubernetes') continue;
      const namespace = namespaceOf(w, defaultNamespace);
      for (const [k, v] of Object.entries(w.podLabels)) {
        const key = `${namespace}\0${k}=${v}`;
        const list = byLabel.get(key);
        if (list) list.push(w);
        else byLabel.set(key, [w]);
      }
    }
    for (const service of services) {
      const selector = service.selector;
      if (!selector || Object.keys(selector).length === 0) continue;
      const namespace = namespaceOf(service, defaultNamespace);
      // The fewest pods that carry one of the selector's labels: a label every pod has (`tier: backend`
      // first) must not make each Service look at every workload.
      let candidates: WorkloadModel[] | undefined;
      for (const [k, v] of Object.entries(selector)) {
        const list = byLabel.get(`${namespace}\0${k}=${v}`) ?? [];
        if (!candidates || list.length < candidates.length) candidates = list;
        if (list.length === 0) break;
      }
      const selected = (candidates ?? []).some((w) => selectorMatches(selector, w.podLabels));
      if (selected) continue;
      addFinding({
        message: `Service ${service.name} selects ${Object.entries(selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}: no pod in namespace ${namespace} has these labels.`,
        location: service.selectorLocation ?? service.nameLocation,
      });
    }
  },
};
