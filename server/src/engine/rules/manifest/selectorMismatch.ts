import type { ManifestContext } from '../contexts';
import type { Rule } from '../types';

export const selectorMismatch: Rule<ManifestContext> = {
  code: 'manifest/selector-mismatch',
  defaultSeverity: 'error',
  where: 'manifest: the selector',
  description: "A workload's selector does not match its own pod template labels; the API server rejects it.",
  check({ file }, addFinding) {
    for (const workload of file.workloads) {
      if (!workload.selector || workload.origin !== 'kubernetes') continue;
      const missing = Object.entries(workload.selector).filter(([key, value]) => workload.podLabels[key] !== value);
      if (missing.length === 0) continue;
      addFinding({
        message: `${workload.kind} ${workload.name}: selector ${missing.map(([k, v]) => `${k}=${v}`).join(', ')} does not match the pod template labels (${
          Object.entries(workload.podLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || 'none'
        }); the API server rejects it.`,
        location: workload.selectorLocation ?? workload.nameLocation,
      });
    }
  },
};
