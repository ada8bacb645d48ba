const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "1h30m" → 5_400_000. The config schema guarantees the format. */
export function durationToMs(duration: string): number {
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(n) * UNIT_MS[unit!]!;
  return total;
}

export const durationToSeconds = (duration: string) => Math.round(durationToMs(duration) / 1000);
