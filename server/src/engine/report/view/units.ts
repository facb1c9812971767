// One readable unit per column (or chart), with exact numbers: cpu in millicores, memory in the
// largest binary unit every value is a whole multiple of (else Mi with an exact decimal), counts as is.
import { exactDecimal, formatPercent, groupThousands, resourceKind } from '../../quantity/format';

export interface ColumnUnit {
  /** `m`, `Gi`, `Mi`, `Ki`, `` (bytes or counts). */
  unit: string;
  /** The exact amount in the unit, with thousands separators: `1,536Mi`, `0.5Gi`, `4,200m`, `29`. */
  format(value: number): string;
}

const BINARY: [string, number][] = [
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** The unit a column of `values` of `resource` is shown in. */
export function columnUnit(resource: string, values: number[]): ColumnUnit {
  const kind = resourceKind(resource);
  if (kind === 'cpu') return { unit: 'm', format: (v) => `${groupThousands(v)}m` };
  if (kind === 'count') return { unit: '', format: (v) => groupThousands(v) };
  const nonZero = values.filter((v) => v !== 0);
  const max = Math.max(0, ...nonZero.map(Math.abs));
  // Gi only when every value is a whole number of Gi: a column mixing 8Gi and 1,536Mi reads in Mi.
  const [unit, size] =
    nonZero.length > 0 && nonZero.every((v) => v % 2 ** 30 === 0)
      ? BINARY[0]
      : max >= 2 ** 20 || max === 0
        ? BINARY[1]
        : max >= 2 ** 10
          ? BINARY[2]
          : ['', 1];
  // Exact: the unit is a power of two, so the decimal always terminates.
  return { unit, format: (v) => `${groupThousands(exactDecimal(BigInt(v), BigInt(size)) ?? String(v / size))}${unit}` };
}

/** `94%` of a budget, rounded half up; one decimal below 10% so small shares are not all `0%`/`1%`. */
export function sharePercent(value: number, budget: number): string {
  if (budget <= 0 || !Number.isSafeInteger(value) || !Number.isSafeInteger(budget)) return formatPercent(value, budget);
  const tenths = Number((BigInt(value) * 2000n + BigInt(budget)) / (2n * BigInt(budget)));
  return tenths < 100 ? `${(tenths / 10).toFixed(1).replace(/\.0$/, '')}%` : formatPercent(value, budget);
}
