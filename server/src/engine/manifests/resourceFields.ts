import type { Document } from 'yaml';
import { checkResourceQuantity } from '../quantity';
import type { QuantityField, QuantityProblem } from '../model/manifest';
import { isResourceName, type ResourceList } from '../model/resources';
import { asMap, keyText, pairsOf, rangeOf, scalarSource } from '../yaml/nodes';

export interface ResourceListRead {
  values: ResourceList;
  fields: Record<string, QuantityField>;
}

/** Reads a Kubernetes ResourceList mapping (`requests:` or `limits:`), validating each quantity. */
export function readResourceList(
  doc: Document,
  node: unknown,
  file: string,
  problems: QuantityProblem[],
): ResourceListRead {
  const values: ResourceList = {};
  const fields: Record<string, QuantityField> = {};
  const map = asMap(doc, node);
  if (!map) return { values, fields };
  for (const pair of pairsOf(doc, map)) {
    const resource = keyText(pair.key);
    if (resource === undefined) continue;
    const range = rangeOf(pair.value as never) ?? rangeOf(pair.key as never) ?? { start: 0, end: 0 };
    const location = { file, range };
    if (!isResourceName(resource)) {
      problems.push({
        message: `${JSON.stringify(resource)} is not a resource name.`,
        severity: 'error',
        location: { file, range: rangeOf(pair.key as never) ?? range },
      });
      continue;
    }
    const raw = scalarSource(doc, pair.value);
    const checked = checkResourceQuantity(resource, raw ?? null);
    if (checked.problem) {
      problems.push({ ...checked.problem, message: `${resource}: ${checked.problem.message}`, location });
    }
    fields[resource] = { raw: raw ?? '', value: checked.value, location };
    if (checked.value !== undefined) values[resource] = checked.value;
  }
  return { values, fields };
}
