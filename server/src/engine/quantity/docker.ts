// docker / compose quantities: memory sizes (go-units RAMInBytes) and `cpus` (Docker NanoCPUs), parsed exactly.
import { exactDecimal } from './format';
import { MAX_EXPONENT, ceilToSafe, describeValue, quantityText } from './kubernetes';
import type { QuantityCheck, QuantityResult } from './kubernetes';

// github.com/docker/go-units size.go:
//   sizeRegex = regexp.MustCompile(`^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$`)
//   RAMInBytes: size, _ := strconv.ParseFloat(match[1]); return int64(size * binaryMap[lower(match[3])])
// So every unit is binary (300M = 300 MiB), a single space is allowed before the unit, "i" and "b" are optional
// decorations ("512Mi", "512MiB", "512mb" are all 512 MiB), and the float result is truncated toward zero.
// We keep those semantics but compute the product exactly, so no float rounding sneaks in.
const SIZE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const SHIFT = new Map([
  ['k', 10],
  ['m', 20],
  ['g', 30],
  ['t', 40],
  ['p', 50],
]);
const SIZE_HINT = 'expected a number with an optional unit b, k, m, g, t or p (powers of 1024), such as 512m or 1.5g';

const fail = (reason: string) => ({ ok: false as const, reason });

/** A compose memory size in bytes: mem_limit, mem_reservation, memswap_limit, shm_size, deploy.resources.*.memory. */
export function dockerBytes(raw: unknown): QuantityResult {
  if (typeof raw === 'number' && Number.isInteger(raw)) {
    if (raw < 0) return fail('negative sizes are not allowed');
    return ceilToSafe(BigInt(raw), 1n, 'bytes');
  }
  const source = quantityText(raw);
  if (!source.ok) return source;
  const text = source.text;
  if (text === '') return fail('expected a size, got an empty string');
  if (/^-\d/.test(text)) return fail('negative sizes are not allowed');
  const match = SIZE.exec(text);
  if (!match) return fail(SIZE_HINT);
  // The regex admits "1.5.5"; go-units then fails in strconv.ParseFloat.
  if (!/^\d+(\.\d+)?$/.test(match[1])) return fail('more than one decimal point');
  const [whole, fraction = ''] = match[1].split('.');
  const shift = BigInt(SHIFT.get((match[2] ?? '').toLowerCase()) ?? 0);
  const bytes = (BigInt(whole + fraction) << shift) / 10n ** BigInt(fraction.length); // BigInt division truncates
  return ceilToSafe(bytes, 1n, 'bytes');
}

const CPUS = /^\+?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;

/** The exact value of a compose `cpus` number, as a fraction. */
function parseCpus(text: string): { ok: true; numerator: bigint; denominator: bigint } | { ok: false; reason: string } {
  if (/^-(\d|\.\d)/.test(text)) return fail('negative CPU counts are not allowed');
  const match = CPUS.exec(text);
  if (!match) return fail('expected a number of CPUs, such as 0.5 or 2');
  const [whole, fraction = ''] = match[1].split('.');
  const exponent = Number(match[2] ?? 0);
  if (Math.abs(exponent) > MAX_EXPONENT) return fail(`exponent ${match[2]} is out of range`);
  let numerator = BigInt(whole + fraction || '0');
  let denominator = 10n ** BigInt(fraction.length);
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  return { ok: true, numerator, denominator };
}

/**
 * Compose `cpus` (and deploy.resources.*.cpus) in millicores. Docker stores NanoCPUs and rejects values with more
 * than 9 decimal places; we round up to whole millicores, as Kubernetes would for 0.0001 CPU.
 */
export function dockerCpuMillicores(raw: unknown): QuantityResult {
  const source = quantityText(raw);
  if (!source.ok) return source;
  if (source.text === '') return fail('expected a number of CPUs, got an empty string');
  const parsed = parseCpus(source.text);
  if (!parsed.ok) return parsed;
  if ((parsed.numerator * 1_000_000_000n) % parsed.denominator !== 0n) {
    return fail('too precise: Docker allows at most 9 decimal places');
  }
  return ceilToSafe(parsed.numerator * 1000n, parsed.denominator, 'millicores');
}

const MEMORY_NOTE =
  'Compose sizes are a number with an optional unit b, k, m, g, t or p (powers of 1024, case-insensitive; a trailing b or ib is allowed).';
const CPUS_NOTE = 'Compose cpus is a plain number of CPUs (such as 0.5 or 2), not a Kubernetes quantity.';
const SIZE_WORDS = /^([kmgtp])(?:i?b?|i?bytes?|ilobytes?|egabytes?|igabytes?|erabytes?|etabytes?)$/;
const CPU_WORDS = new Set(['', 'core', 'cores', 'cpu', 'cpus', 'vcpu', 'vcpus']);
const MILLI_WORDS = new Set(['m', 'mcpu', 'millicore', 'millicores', 'millicpu', 'millicpus']);

/** Number text normalised so that the compose grammars accept it: ".5" → "0.5", "5." → "5". */
function plainNumber(text: string): string {
  const [whole, fraction = ''] = text.split('.');
  return (whole || '0') + (fraction ? `.${fraction}` : '');
}

function suggestCompose(kind: 'memory' | 'cpus', text: string): string | undefined {
  const compact = text.replace(/\s+/g, '').replace(/(?<=\d),(?=\d{3})/g, '');
  const match = /^\+?(\d+\.?\d*|\.\d+)([A-Za-z]*)$/.exec(compact);
  if (!match) return undefined;
  const number = plainNumber(match[1]);
  const unit = match[2].toLowerCase();
  if (kind === 'memory') {
    if (compact !== text && dockerBytes(compact).ok) return compact;
    const letter = ['', 'b', 'byte', 'bytes'].includes(unit) ? '' : SIZE_WORDS.exec(unit)?.[1];
    const candidate = letter === undefined ? undefined : number + letter;
    return candidate !== undefined && dockerBytes(candidate).ok ? candidate : undefined;
  }
  let candidate: string | undefined;
  if (CPU_WORDS.has(unit)) candidate = number;
  else if (MILLI_WORDS.has(unit)) {
    const [whole, fraction = ''] = number.split('.');
    candidate = exactDecimal(BigInt(whole + fraction), 1000n * 10n ** BigInt(fraction.length));
  }
  return candidate !== undefined && dockerCpuMillicores(candidate).ok ? candidate : undefined;
}

/** Validates a compose memory size or `cpus` value and flags likely mistakes; same shape as checkResourceQuantity. */
export function checkComposeQuantity(kind: 'memory' | 'cpus', raw: unknown): QuantityCheck {
  const result = kind === 'memory' ? dockerBytes(raw) : dockerCpuMillicores(raw);
  const source = quantityText(raw);
  const text = source.ok ? source.text : '';
  if (result.ok) {
    if (kind === 'memory' && /^\d+$/.test(text) && result.value > 0 && result.value < 2 ** 20) {
      const message = `${text} is only ${text} bytes; did you mean ${text}m (MiB)?`;
      return { value: result.value, problem: { message, severity: 'warning', replacement: `${text}m` } };
    }
    return { value: result.value };
  }
  if (!source.ok || text.trim() === '') {
    const example = kind === 'memory' ? '512m' : '0.5';
    const got = source.ok ? 'an empty string' : describeValue(raw);
    return { problem: { message: `expected a value such as ${example}, got ${got}`, severity: 'error' } };
  }
  const what = kind === 'memory' ? 'a valid Compose memory size' : 'a valid Compose cpus value';
  const replacement = /^[+\d.\s]/.test(text) ? suggestCompose(kind, text) : undefined;
  if (replacement === undefined)
    return { problem: { message: `"${text}" is not ${what}: ${result.reason}`, severity: 'error' } };
  const message = `"${text}" is not ${what}. Did you mean ${replacement}? ${kind === 'memory' ? MEMORY_NOTE : CPUS_NOTE}`;
  return { problem: { message, severity: 'error', replacement } };
}
