// A token bucket per key (caller and method), for the gRPC edge: HTTP has
// @fastify/rate-limit, grpc-js has nothing alike. Each key may spend `max` calls at
// once and earns them back evenly over `windowMs`, so a steady caller at the limit
// is never refused and a burst beyond it is refused until tokens return.

export interface RateLimiterOptions {
  /** Calls one key may make per window (also the burst it may make at once). */
  max: number;
  windowMs: number;
  /** Most keys remembered; the least recently seen are forgotten first (they start full again). */
  maxKeys?: number;
  now?: () => number;
}

export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until one call is allowed again. */
  retryAfterMs: number;
}

export interface RateLimiter {
  take(key: string): RateDecision;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { max, windowMs } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? (() => performance.now());
  const perMs = max / windowMs;
  // Map keeps insertion order: re-inserting on every use makes the first key the least recent.
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: max, at: t };
      buckets.delete(key);
      bucket.tokens = Math.min(max, bucket.tokens + (t - bucket.at) * perMs);
      bucket.at = t;
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, retryAfterMs: 0 };
      }
      return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / perMs) };
    },
  };
}
