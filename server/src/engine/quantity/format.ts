// Exact, human-readable and manifest-ready renderings of resource amounts.
// Inputs are integers: cpu in millicores, memory/storage in bytes, everything else in counts.

export type ResourceKind = 'cpu' | 'bytes' | 'count';

/** How a resource is measured: `cpu` in millicores, memory/storage/hugepages in bytes, anything else as a count. */
export function resourceKind(resource: string): ResourceKind {
  const name = resource.replace(/^(requests|limits)\./, ''); // ResourceQuota spelling: requests.cpu, limits.memory
  if (name === 'cpu') return 'cpu';
  if (name === 'memory' || name === 'ephemeral-storage' || name === 'storage' || name.startsWith('hugepages-')) {
    return 'bytes';
  }
  return 'count';
}

// Largest first; powers of two are exact doubles, so `%` and `/` below are exact for safe integers.
const BINARY_UNITS: readonly (readonly [string, number])[] = [
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** "1234567" → "1,234,567" (keeps a leading sign and any fractional part as is). */
export function groupThousands(value: number | bigint | string): string {
  const text = String(value);
  const match = /^([+-]?)(\d+)(.*)$/s.exec(text);
  if (!match) return text;
  return match[1] + match[2].replace(/\B(?=(\d{3})+$)/g, ',') + match[3];
}

/** 1500 → "1500m", 2000 → "2", 0 → "0". */
export function formatMillicores(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** Kubernetes manifest form of a cpu amount: "500m", "2". */
export function toKubernetesCpu(m: number): string {
  return formatMillicores(m);
}

function splitBinary(bytes: number): { amount: number; unit: string } {
  if (bytes !== 0 && Number.isInteger(bytes)) {
    for (const [unit, size] of BINARY_UNITS) {
      if (bytes % size === 0) return { amount: bytes / size, unit };
    }
  }
  return { amount: bytes, unit: '' };
}

/** Exact and readable: 8589934592 → "8Gi", 1610612736 → "1,536Mi", 1000 → "1,000". */
export function formatBytes(bytes: number): string {
  const { amount, unit } = splitBinary(bytes);
  return groupThousands(amount) + unit;
}

/** Kubernetes manifest form of a byte amount: "512Mi", "1Gi", or plain bytes "1000" (no separators). */
export function toKubernetesMemory(bytes: number): string {
  const { amount, unit } = splitBinary(bytes);
  return String(amount) + unit;
}

export function formatQuantityForResource(resource: string, value: number): string {
  switch (resourceKind(resource)) {
    case 'cpu':
      return formatMillicores(value);
    case 'bytes':
      return formatBytes(value);
    default:
      return String(value);
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Integer percent, rounded half up: (15238, 8192) → "186%". A zero denominator gives "0%" or "∞%". */
export function formatPercent(numerator: number, denominator: number): string {
  if (denominator === 0) return numerator === 0 ? '0%' : numerator > 0 ? '∞%' : '-∞%';
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) {
    return `${Math.floor((100 * numerator) / denominator + 0.5)}%`;
  }
  // floor(100·n/d + 1/2) = floor((200·n + d) / 2d), in BigInt so 200·n cannot lose precision.
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  return `${floorDiv(200n * n + d, 2n * d)}%`;
}

/**
 * The exact decimal expansion of numerator/denominator ("3.5", "0.0005", "-2"), or undefined when it does not
 * terminate (the denominator has a prime factor other than 2 and 5).
 */
export function exactDecimal(numerator: bigint, denominator: bigint): string | undefined {
  if (denominator === 0n) return undefined;
  if (denominator < 0n) return exactDecimal(-numerator, -denominator);
  let rest = denominator;
  let twos = 0;
  let fives = 0;
  while (rest % 2n === 0n) {
    rest /= 2n;
    twos++;
  }
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives++;
  }
  if (numerator % rest !== 0n) return undefined;
  const places = Math.max(twos, fives);
  const scaled = (numerator * 10n ** BigInt(places)) / denominator; // exact: denominator divides the product
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places).replace(/0+$/, '');
  return (negative ? '-' : '') + whole + (fraction ? `.${fraction}` : '');
}

const MiB = 2 ** 20;

/**
 * Several amounts of one resource in one unit, so they compare at a glance: a column of a table, or
 * the two sides of "X, target at most Y". CPU: whole cores when every amount is one, else
 * millicores (`9,680m` and `9,000m`, never `9680m` beside `9`). Memory: the largest binary unit
 * that divides every amount exactly (`8,192Mi` beside `15,238Mi`, `10Gi` beside `12Gi`); amounts that
 * are not whole MiB (a `300M` Kubernetes quantity is 300,000,000 bytes) are shown in Mi, exact when
 * that takes at most two decimals, else rounded to one and marked `≈`. Below 1Mi the exact byte
 * renderings. Counts as they are; zero is `0`. Exact values stay in the JSON outputs.
 */
export function formatAlike(resource: string, values: readonly number[]): string[] {
  // Nothing needs no unit: "0" beside "1,500m" or "3,072Mi".
  return formatAlikeNonZero(resource, values).map((text, index) => (values[index] === 0 ? '0' : text));
}

function formatAlikeNonZero(resource: string, values: readonly number[]): string[] {
  const kind = resourceKind(resource);
  if (kind === 'count') return values.map((v) => String(v));
  if (kind === 'cpu') {
    const cores = values.every((v) => v % 1000 === 0);
    return values.map((v) => (cores ? groupThousands(v / 1000) : `${groupThousands(v)}m`));
  }
  const largest = Math.max(0, ...values.map(Math.abs));
  if (largest < MiB) {
    const exact = BINARY_UNITS.find(([, size]) => values.every((v) => v % size === 0));
    return values.map((v) => (exact ? `${groupThousands(v / exact[1])}${exact[0]}` : groupThousands(v)));
  }
  const unit = BINARY_UNITS.find(([, size]) => size >= MiB && values.every((v) => v % size === 0));
  if (unit) return values.map((v) => `${groupThousands(v / unit[1])}${unit[0]}`);
  return values.map((v) => mebibytes(v));
}

/** Bytes in Mi: `286.1Mi` rounded (marked ≈) unless exact in two decimals (`0.5Mi`, `1,536.25Mi`). */
function mebibytes(bytes: number): string {
  const exact = Number.isSafeInteger(bytes) ? exactDecimal(BigInt(bytes), BigInt(MiB)) : undefined;
  if (exact !== undefined && !/\.\d{3}/.test(exact)) return `${groupThousands(exact)}Mi`;
  const rounded = Math.round((bytes / MiB) * 10) / 10;
  return `≈${groupThousands(rounded.toFixed(1))}Mi`;
}
