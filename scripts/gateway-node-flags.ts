/**
 * The node flags the gateway runs with in production (`npm start`, and
 * NODE_OPTIONS in the Dockerfile), so the bench and chaos runs measure the
 * same process. A 1 MB young-generation semi-space (V8's default grows to
 * 16 MB) keeps the short-lived garbage of each passage from inflating the
 * heap: RSS 157 → 135 MB at idle and 172 → 140 MB after 60 s at 200
 * passages/s on 16 lanes, with no change in decision latency (docs/BENCHMARKS.md).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
