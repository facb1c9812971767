// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource.Quantity), parsed exactly.
//
//   <quantity>        ::= <signedNumber><suffix>
//   <signedNumber>    ::= <number> | +<number> | -<number>
//   <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//   <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
//   <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
//   <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
//   <decimalExponent> ::= "e" <signedInteger> | "E" <signedInteger>
//
// n and u are not in the documented grammar but apimachinery accepts them (metrics report cpu in "n").
// Unlike apimachinery we reject a suffix without digits ("Gi", which it reads as 0) and exponents beyond
// ±MAX_EXPONENT. Surrounding whitespace is ignored, as the API server's JSON decoding trims it.
import { exactDecimal, groupThousands, resourceKind, type ResourceKind } from './format';

export type QuantityResult = { ok: true; value: number } | { ok: false; reason: string };
export type ParsedQuantity =
  { ok: true; numerator: bigint; denominator: bigint; suffix: string } | { ok: false; reason: string };
export interface QuantityCheckProblem {
  message: string;
  severity: 'error' | 'warning';
  replacement?: string;
}
export interface QuantityCheck {
  /** Undefined when invalid: an invalid quantity counts as absent. */
  value?: number;
  problem?: QuantityCheckProblem;
}

const BINARY_SI = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const DECIMAL_SI = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
export const MAX_EXPONENT = 1000;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const SUFFIX_HINT =
  'expected a number with an optional suffix m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as 1e3';

const fail = (reason: string) => ({ ok: false as const, reason });

/** How a non-quantity YAML value reads in a message: "null", "a mapping", "boolean true". */
export function describeValue(raw: unknown): string {
  if (raw === null) return 'null';
  if (raw === undefined) return 'nothing';
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return 'a mapping';
  return `${typeof raw} ${String(raw)}`;
}

/** The text of a YAML scalar that may hold a quantity: strings as is, numbers in their canonical decimal form. */
export function quantityText(raw: unknown): { ok: true; text: string } | { ok: false; reason: string } {
  if (typeof raw === 'string') return { ok: true, text: raw };
  if (typeof raw === 'bigint') return { ok: true, text: raw.toString() };
  if (typeof raw === 'number') {
    return Number.isFinite(raw) ? { ok: true, text: String(raw) } : fail(`expected a quantity, got ${raw}`);
  }
  return fail(`expected a quantity (a number or a string), got ${describeValue(raw)}`);
}

/** Integer ceiling of a non-negative rational, as a safe JS number. */
export function ceilToSafe(numerator: bigint, denominator: bigint, unit: string): QuantityResult {
  const value = (numerator + denominator - 1n) / denominator;
  if (value > MAX_SAFE)
    return fail(`too large: more than ${groupThousands(Number.MAX_SAFE_INTEGER)}${unit && ` ${unit}`}`);
  return { ok: true, value: Number(value) };
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** The exact value in base units (1 = one core, one byte, one device) as a reduced fraction with a positive denominator. */
export function parseKubernetesQuantity(raw: unknown): ParsedQuantity {
  const source = quantityText(raw);
  if (!source.ok) return source;
  const text = source.text.trim();
  if (!text) return fail('expected a quantity, got an empty string');
  const [, sign, whole, fraction = '', suffix] = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/s.exec(text)!;
  if (!whole && !fraction) return fail('no digits');
  if (suffix.startsWith('.')) return fail('more than one decimal point');

  let numerator = BigInt(whole + fraction) * (sign === '-' ? -1n : 1n);
  let denominator = 10n ** BigInt(fraction.length);
  const shift = BINARY_SI.get(suffix);
  let exponent = DECIMAL_SI.get(suffix);
  if (shift === undefined && exponent === undefined) {
    if (!/^[eE][+-]?\d+$/.test(suffix)) return fail(`"${suffix}" is not a valid suffix (${SUFFIX_HINT})`);
    exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) return fail(`exponent ${suffix.slice(1)} is out of range`);
  }
  if (shift !== undefined) numerator <<= BigInt(shift);
  else if (exponent! >= 0) numerator *= 10n ** BigInt(exponent!);
  else denominator *= 10n ** BigInt(-exponent!);

  const divisor = gcd(numerator, denominator);
  return { ok: true, numerator: numerator / divisor, denominator: denominator / divisor, suffix };
}

function nonNegative(raw: unknown): ParsedQuantity {
  const parsed = parseKubernetesQuantity(raw);
  if (parsed.ok && parsed.numerator < 0n) return fail('negative quantities are not allowed');
  return parsed;
}

/** CPU in millicores, rounded up like Quantity.MilliValue(): "0.1" → 100, "0.0001" → 1. */
export function kubernetesCpuMillicores(raw: unknown): QuantityResult {
  const parsed = nonNegative(raw);
  if (!parsed.ok) return parsed;
  return ceilToSafe(parsed.numerator * 1000n, parsed.denominator, 'millicores');
}

/** Bytes, rounded up like Quantity.Value(): "1.5Gi" → 1610612736, "3500m" → 4. */
export function kubernetesBytes(raw: unknown): QuantityResult {
  const parsed = nonNegative(raw);
  if (!parsed.ok) return parsed;
  return ceilToSafe(parsed.numerator, parsed.denominator, 'bytes');
}

/** A count (extended resources such as nvidia.com/gpu): must be a whole number. */
export function kubernetesCount(raw: unknown): QuantityResult {
  const parsed = nonNegative(raw);
  if (!parsed.ok) return parsed;
  if (parsed.denominator !== 1n) {
    return fail(`must be a whole number, but is ${exactDecimal(parsed.numerator, parsed.denominator) ?? 'a fraction'}`);
  }
  return ceilToSafe(parsed.numerator, 1n, '');
}

const EXAMPLE: Record<ResourceKind, string> = { cpu: '500m', bytes: '512Mi', count: '1' };

// Lower-cased unit spellings people write, mapped to the Kubernetes suffix they most likely mean.
const BYTE_UNITS = new Map<string, string>([
  ['b', ''],
  ['byte', ''],
  ['bytes', ''],
]);
for (const [letter, suffix] of [
  ['k', 'Ki'],
  ['m', 'Mi'],
  ['g', 'Gi'],
  ['t', 'Ti'],
  ['p', 'Pi'],
  ['e', 'Ei'],
]) {
  for (const tail of ['', 'b', 'i', 'ib']) BYTE_UNITS.set(letter + tail, suffix);
}
const CPU_UNITS = new Map<string, string>([
  ['m', 'm'],
  ['mi', 'm'],
  ['mcpu', 'm'],
  ['millicpu', 'm'],
  ['millicpus', 'm'],
]);
for (const word of ['core', 'cores', 'cpu', 'cpus', 'vcpu', 'vcpus']) {
  CPU_UNITS.set(word, '');
  CPU_UNITS.set(`milli${word}`, 'm');
}

const BYTES_NOTE =
  'Kubernetes memory units are case-sensitive: Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024) or k, M, G, T, P, E (powers of 1000)';
const CPU_NOTE = 'CPU is a number of cores (0.5, 2) or of millicores (500m).';

/** 2 when `candidate` is clean for the resource, 1 when it is valid but still warned about, 0 otherwise. */
function grade(resource: string, candidate: string): number {
  if (!parseKubernetesQuantity(candidate).ok) return 0;
  const check = checkResourceQuantity(resource, candidate);
  return check.value === undefined ? 0 : check.problem ? 1 : 2;
}

/** A mechanical fix for an unparseable quantity, if there is an obvious one: the first clean candidate, else a valid one. */
function suggest(
  resource: string,
  kind: ResourceKind,
  text: string,
): { replacement: string; note: string } | undefined {
  const candidates: { replacement: string; note: string }[] = [];
  const compact = text.replace(/\s+/g, '').replace(/(?<=\d),(?=\d{3})/g, '');
  if (compact !== text) {
    candidates.push({ replacement: compact, note: 'Spaces and thousands separators are not allowed in a quantity.' });
  }
  const match = /^(\+?(?:\d+\.?\d*|\.\d+))([A-Za-z]+)$/.exec(compact);
  const units = kind === 'bytes' ? BYTE_UNITS : kind === 'cpu' ? CPU_UNITS : undefined;
  const suffix = match ? units?.get(match[2].toLowerCase()) : undefined;
  if (match && suffix !== undefined) {
    const replacement = match[1] + suffix;
    if (kind === 'cpu') candidates.push({ replacement, note: CPU_NOTE });
    else {
      const guessed = suffix && !/i/i.test(match[2]);
      const assumption = guessed ? `; ${suffix} is assumed because the binary unit is usually what is meant` : '';
      candidates.push({ replacement, note: `${BYTES_NOTE}${assumption}.` });
    }
  }
  const grades = candidates.map((candidate) => grade(resource, candidate.replacement));
  const best = grades.indexOf(2) >= 0 ? grades.indexOf(2) : grades.indexOf(1);
  return best >= 0 ? candidates[best] : undefined;
}

const error = (message: string, replacement?: string): QuantityCheck => ({
  problem: replacement === undefined ? { message, severity: 'error' } : { message, severity: 'error', replacement },
});

/**
 * Validates a quantity for a named resource ("cpu", "memory", "ephemeral-storage", "hugepages-2Mi",
 * "nvidia.com/gpu", ...) and flags likely mistakes. Messages do not repeat the resource name.
 */
export function checkResourceQuantity(resource: string, raw: unknown): QuantityCheck {
  const kind = resourceKind(resource);
  const source = quantityText(raw);
  const text = source.ok ? source.text.trim() : '';
  if (!text) {
    const got = source.ok ? 'an empty string' : describeValue(raw);
    return error(`expected a quantity such as ${EXAMPLE[kind]}, got ${got}`);
  }
  const parsed = parseKubernetesQuantity(text);
  if (!parsed.ok) {
    const fix = suggest(resource, kind, text);
    const invalid = `"${text}" is not a valid Kubernetes quantity`;
    if (fix) return error(`${invalid}. Did you mean ${fix.replacement}? ${fix.note}`, fix.replacement);
    const reason = parsed.reason.includes(SUFFIX_HINT) ? parsed.reason : `${parsed.reason}; ${SUFFIX_HINT}`;
    return error(`${invalid}: ${reason}`);
  }
  if (parsed.numerator < 0n) return error(`${text} is negative; resource quantities cannot be negative`);
  const number = text.slice(0, text.length - parsed.suffix.length);

  if (kind === 'cpu') {
    if (BINARY_SI.has(parsed.suffix)) {
      const cores = exactDecimal(parsed.numerator, parsed.denominator)!;
      return error(
        `binary suffixes are not meaningful for CPU: ${text} would be ${groupThousands(cores)} cores. ` +
          `Did you mean ${number}m (millicores)?`,
        `${number}m`,
      );
    }
    const millicores = kubernetesCpuMillicores(text);
    return millicores.ok ? { value: millicores.value } : error(`${text} is ${millicores.reason}`);
  }

  if (kind === 'bytes') {
    const bytes = kubernetesBytes(text);
    if (!bytes.ok) return error(`${text} is ${bytes.reason}`);
    const exact = exactDecimal(parsed.numerator, parsed.denominator)!;
    const warn = (message: string, replacement?: string): QuantityCheck => ({
      value: bytes.value,
      problem:
        replacement === undefined ? { message, severity: 'warning' } : { message, severity: 'warning', replacement },
    });
    if (parsed.suffix === 'm')
      return warn(`${text} is ${exact} bytes (m means milli); did you mean ${number}Mi?`, `${number}Mi`);
    if (parsed.suffix === 'u') return warn(`${text} is ${exact} bytes (u means micro)`);
    if (parsed.suffix === 'n') return warn(`${text} is ${exact} bytes (n means nano)`);
    if (parsed.suffix === '' && bytes.value > 0 && bytes.value < 2 ** 20) {
      return warn(`${text} is only ${exact} bytes; did you mean ${number}Mi?`, `${number}Mi`);
    }
    return { value: bytes.value };
  }

  if (parsed.denominator !== 1n) {
    const exact = exactDecimal(parsed.numerator, parsed.denominator)!;
    return error(`must be a whole number, ${exact === number ? 'not' : `but ${text} is`} ${exact}`);
  }
  const count = kubernetesCount(text);
  return count.ok ? { value: count.value } : error(`${text} is ${count.reason}`);
}
