// Token lifetimes as people write them ('90s', '8h'), read by the `wenming token`
// CLI and by the configuration (WENMING_TOKEN_MAX_TTL); apart from the verifier so
// the configuration can read them without loading jose.
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** '90s', '30m', '8h', '2d' → seconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** Seconds as the largest whole unit that fits: 43200 → '12h', 90 → '90s'. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** DESIGN §5: tokens live at most this long unless WENMING_TOKEN_MAX_TTL says otherwise. */
export const DEFAULT_MAX_TOKEN_TTL_SEC = 12 * 3600;
