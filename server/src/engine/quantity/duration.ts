/** Durations as Prometheus writes them: `7d`, `12h`, `30m`, `1h30m`, `90s`, `2w`. */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds, or undefined when the text is not such a duration (a bare number is not: say the unit). */
export function parseUsageDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!trimmed || !/^(\d+(ms|s|m|h|d|w))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(match[1]) * UNITS[match[2]];
  return Number.isSafeInteger(total) && total > 0 ? total : undefined;
}

/** 604800000 → `7d`, 5400000 → `1h30m`: the largest units that divide it exactly. */
export function formatUsageDuration(ms: number): string {
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['w', UNITS.w],
    ['d', UNITS.d],
    ['h', UNITS.h],
    ['m', UNITS.m],
    ['s', UNITS.s],
    ['ms', 1],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out || '0s';
}
