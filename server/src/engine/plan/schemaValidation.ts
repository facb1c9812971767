import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Document } from 'yaml';
import { isMap, isPair, isSeq, type Node } from 'yaml';
import planSchema from '../../../../schemas/consolidation-plan.schema.json';
import type { OffsetRange } from '../model/location';
import { deref, keyText, rangeOf, toPlain } from '../yaml/nodes';

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(planSchema);
  return validator;
}

export interface SchemaProblem {
  message: string;
  range: OffsetRange;
}

/** Validates a plan document against the JSON schema; each error is placed on the YAML it is about. */
export function validatePlanSchema(doc: Document): SchemaProblem[] {
  let value: unknown;
  try {
    value = toPlain(doc, doc.contents);
  } catch (error) {
    return [
      {
        message: `Plan could not be read: ${(error as Error).message}`,
        range: rangeOf(doc.contents as Node) ?? { start: 0, end: 0 },
      },
    ];
  }
  const validate = getValidator();
  if (validate(value ?? null)) return [];
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of simplify(validate.errors ?? [])) {
    const problem = { message: describe(error), range: locate(doc, error) };
    const key = `${problem.range.start}:${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

/** Drops the noise of composite keywords: a failed `anyOf`/`oneOf` is reported once, by its own message. */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const composite = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath);
  return errors.filter(
    (e) =>
      // `if`/`then` and `propertyNames` add a wrapper error beside the one that says what is wrong.
      e.keyword !== 'if' &&
      !(
        e.keyword === 'propertyNames' &&
        errors.some((other) => other !== e && other.keyword === 'pattern' && other.propertyName !== undefined)
      ) &&
      (e.keyword === 'anyOf' || e.keyword === 'oneOf' || !composite.includes(e.instancePath)),
  );
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'plan';
  switch (error.keyword) {
    case 'additionalProperties':
      return `Unknown key "${(error.params as { additionalProperty: string }).additionalProperty}" in ${where}.`;
    case 'required':
      return `Missing required "${(error.params as { missingProperty: string }).missingProperty}" in ${where}.`;
    case 'type':
      return `${where} must be of type ${(error.params as { type: string | string[] }).type}.`;
    case 'const':
      return `${where} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}.`;
    case 'enum':
      return `${where} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'pattern':
      return `${where}: ${JSON.stringify(error.data)} is not valid: ${patternHint(error)}`.replace(/\.?$/, '.');
    default:
      return `${where} ${error.message ?? 'is invalid'}.`;
  }
}

function patternHint(error: ErrorObject): string {
  const schema = error.parentSchema as
    { patternErrorMessage?: string; errorMessage?: string; description?: string } | undefined;
  const hint = schema?.patternErrorMessage ?? schema?.errorMessage ?? schema?.description?.split('.')[0];
  return hint ?? `pattern ${(error.params as { pattern: string }).pattern}`;
}

function locate(doc: Document, error: ErrorObject): OffsetRange {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Node | undefined = deref(doc, doc.contents);
  let keyRange: OffsetRange | undefined;
  for (const segment of segments) {
    const found = child(doc, node, segment);
    if (!found) break;
    node = found.node;
    keyRange = found.keyRange ?? keyRange;
  }
  if (error.keyword === 'additionalProperties' && isMap(node)) {
    const name = (error.params as { additionalProperty: string }).additionalProperty;
    const pair = node.items.find((item) => isPair(item) && keyText(item.key) === name);
    const range = pair && rangeOf(pair.key as Node);
    if (range) return range;
  }
  if (error.keyword === 'required' || (error.keyword === 'type' && (isMap(node) || isSeq(node)))) {
    return keyRange ?? firstLine(doc);
  }
  return rangeOf(node) ?? keyRange ?? firstLine(doc);
}

function child(
  doc: Document,
  node: Node | undefined,
  segment: string,
): { node: Node | undefined; keyRange?: OffsetRange } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && keyText(item.key) === segment);
    if (!pair) return undefined;
    return { node: deref(doc, pair.value), keyRange: rangeOf(pair.key as Node) };
  }
  if (isSeq(node)) {
    const item = node.items[Number(segment)];
    return item === undefined ? undefined : { node: deref(doc, item) };
  }
  return undefined;
}

function firstLine(doc: Document): OffsetRange {
  const start = doc.range?.[0] ?? 0;
  return { start, end: start };
}
