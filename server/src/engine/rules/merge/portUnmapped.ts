import { asChange, setMergeKey } from '../../plan/planEdits';
import { valueAt, isObject } from '../../render/kube';
import type { PlanContext } from '../contexts';
import type { Rule } from '../types';
import { mergeChecks, addMergeFinding, type MergeCheck } from './helpers';

export const portUnmapped: Rule<PlanContext> = {
  code: 'merge/port-unmapped',
  defaultSeverity: 'error',
  description: 'A replace merge gives no container port for a port of a Service that selected a merged workload.',
  where: "plan: the merge's `ports` (or `name`)",
  check(context, addFinding) {
    for (const check of mergeChecks(context)) {
      if (check.merge.strategy !== 'replace') continue;
      const target = check.merge.container?.ports[0];
      for (const service of check.selecting) {
        const ports = valueAt(service.object, ['spec', 'ports']);
        for (const port of Array.isArray(ports) ? ports.filter(isObject) : []) {
          if (typeof port.port !== 'number' || check.merge.ports.some((m) => m.servicePort === port.port)) continue;
          const change = target !== undefined ? addPortMapping(check, port.port, target) : undefined;
          addMergeFinding(
            addFinding,
            check,
            `Service ${String(service.object.metadata.name)} port ${port.port} has no mapping in \`ports\`; its callers would reach nothing.`,
            check.merge.portsLocation ?? check.merge.nameLocation,
            {
              related: service.model
                ? [{ location: service.model.location, message: `Service ${service.model.name}` }]
                : undefined,
              data: change
                ? {
                    fix: 'edits',
                    actions: [{ title: `Map port ${port.port} to container port ${target}`, changes: [change] }],
                  }
                : undefined,
            },
          );
        }
      }
    }
  },
};

function addPortMapping(
  check: MergeCheck,
  servicePort: number,
  containerPort: number,
): { start: number; end: number; newText: string } {
  const existing = check.merge.ports.at(-1);
  if (existing) {
    // After the last mapping's value: `80: 8080` → `80: 8080, 443: 8443` (flow) or a new line (block).
    const text = check.planText;
    const lineEnd = text.indexOf('\n', existing.location.range.end);
    const line = text.slice(existing.location.range.start, lineEnd === -1 ? text.length : lineEnd);
    const close = line.indexOf('}');
    if (close !== -1) {
      const offset = existing.location.range.start + close;
      return { start: offset, end: offset, newText: `, ${servicePort}: ${containerPort}` };
    }
    const lineStart = text.lastIndexOf('\n', existing.location.range.start - 1) + 1;
    const indent = ' '.repeat(existing.location.range.start - lineStart);
    const end = lineEnd === -1 ? text.length : lineEnd;
    return { start: end, end, newText: `\n${indent}${servicePort}: ${containerPort}` };
  }
  return asChange(setMergeKey(check.planText, check.merge, 'ports', `{${servicePort}: ${containerPort}}`));
}
