/**
 * What the receiver reads under each estate's prefix (docs/district.md, "What
 * the gateway publishes"): the chained reports (passages/<gate>/<lane>,
 * alerts/<type>, stats, audit, gap; src/mqtt/topics.ts), the retained
 * checkpoint and status, and the answers to its cmd/resend.
 */
const READ_SUFFIXES = ['passages/+/+', 'alerts/+', 'stats', 'audit', 'gap', 'checkpoint', 'status', 'cmd/resend/reply'] as const;

export interface Routed<T> {
  target: T;
  /** The topic below the estate's prefix: `stats`, `passages/g1/in`, `cmd/resend/reply/<clientId>`… */
  suffix: string;
}

/**
 * The receiver's subscriptions and the estate each topic belongs to.
 *
 * One filter per suffix over all estates under the same parent
 * (`gatewarden/+/stats` for `gatewarden/<estate>`), never one per estate:
 * on nats-server every QoS 1 subscription of a persistent session is a
 * replicated JetStream consumer, made at 0.5–0.8 s each on a small cluster
 * (docs/BENCHMARKS.md, "Fan-in"). So the count is fixed by the number of
 * distinct parents, 9 for the default layout, whatever the number of estates.
 * A parent with one registered estate is subscribed by that estate's own
 * prefix: the same count, and an estate's embedded broker refuses filters
 * outside its prefix. A topic under a parent but of no registered estate
 * routes to nothing: the receiver counts it as unregistered and stores nothing of it.
 */
export class EstateRoutes<T extends { prefix: string }> {
  private readonly byPrefix = new Map<string, T>();
  /** How many levels each registered prefix has (`gatewarden/a` has 2): the topic's first that many name the estate. */
  private readonly depths: number[];
  /** What each filter starts with: `gatewarden/+`, or an estate's own prefix when it is alone under its parent. */
  private readonly parents: string[];

  constructor(
    targets: Iterable<T>,
    private readonly clientId: string,
  ) {
    for (const target of targets) this.byPrefix.set(target.prefix, target);
    const prefixes = [...this.byPrefix.keys()];
    this.depths = [...new Set(prefixes.map((prefix) => prefix.split('/').length))];
    const underParent = new Map<string, string[]>();
    for (const prefix of prefixes) underParent.set(parentFilter(prefix), [...(underParent.get(parentFilter(prefix)) ?? []), prefix]);
    this.parents = [...underParent].map(([parent, under]) => (under.length === 1 ? (under[0] as string) : parent));
  }

  /** The topic filters to subscribe at QoS 1 (the whole resend reply to our own client id needs MQTT 5; the outcome comes to all). */
  filters(): string[] {
    return this.parents.flatMap((parent) => [...READ_SUFFIXES.map((suffix) => `${parent}/${suffix}`), `${parent}/cmd/resend/reply/${this.clientId}`]);
  }

  route(topic: string): Routed<T> | undefined {
    const levels = topic.split('/');
    for (const depth of this.depths) {
      if (levels.length <= depth) continue;
      const target = this.byPrefix.get(levels.slice(0, depth).join('/'));
      if (target) return { target, suffix: levels.slice(depth).join('/') };
    }
    return undefined;
  }
}

/** `gatewarden/a` → `gatewarden/+`; a one-level prefix `a` → `+`. */
function parentFilter(prefix: string): string {
  const last = prefix.lastIndexOf('/');
  return last === -1 ? '+' : `${prefix.slice(0, last)}/+`;
}
