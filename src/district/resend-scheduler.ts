import type { Range } from './verify-stream.js';

export interface ResendOptions {
  /** A hole younger than this is not asked for yet: reports overtake each other after a reconnect. */
  waitMs: number;
  /** No answer (the reports, or a gap record) within this: ask again. */
  timeoutMs: number;
  maxAttempts: number;
  maxPerRequest: number;
  perMinute: number;
}

export interface ResendRequest {
  estate: string;
  fromSeq: number;
  toSeq: number;
  attempt: number;
}

interface EstateWants {
  ranges: Range[];
  since: number;
  outstanding?: { request: ResendRequest; sentAt: number };
}

/** How many of the recent requests are remembered per estate, to tell a resent report from a late one. */
const REMEMBERED = 32;

/**
 * When to ask an estate for cmd/resend (docs/district.md, "The district
 * receiver"): after a hole has stayed open for `waitMs`, one request per
 * estate at a time, at most `maxPerRequest` seqs each, at most `perMinute`
 * over all estates (a district-wide outage must not answer itself with a
 * flood of resends), the same range at most `maxAttempts` times. Time comes
 * in as an argument; the receiver sends what `due` returns.
 */
export class ResendScheduler {
  private readonly wants = new Map<string, EstateWants>();
  private readonly asked = new Map<string, Range[]>();
  private readonly attempts = new Map<string, number>();
  private readonly abandoned = new Map<string, Range[]>();
  private tokens: number;
  private refilledAt: number | undefined;

  constructor(private readonly options: ResendOptions) {
    this.tokens = options.perMinute;
  }

  /** The ranges an estate still lacks, as of `now`. */
  want(estate: string, ranges: readonly Range[], now: number): void {
    const open = ranges.flatMap((range) => without(range, this.abandoned.get(estate) ?? []));
    if (open.length === 0) {
      this.wants.delete(estate);
      return;
    }
    const current = this.wants.get(estate);
    this.wants.set(estate, { ...current, ranges: open, since: current?.since ?? now });
  }

  /** Stops asking for a range: the gateway said it is gone, or it never came after every attempt. */
  abandon(estate: string, range: Range): void {
    this.abandoned.set(estate, [...(this.abandoned.get(estate) ?? []), range]);
    const wants = this.wants.get(estate);
    if (wants) this.want(estate, wants.ranges, wants.since);
  }

  /** Requests to send now; `gaveUp` gets the ranges asked for `maxAttempts` times in vain. */
  due(now: number, gaveUp: (estate: string, range: Range) => void): ResendRequest[] {
    this.refill(now);
    const requests: ResendRequest[] = [];
    for (const [estate, wants] of this.wants) {
      if (this.tokens < 1) break;
      const outstanding = wants.outstanding;
      if (outstanding && now - outstanding.sentAt < this.options.timeoutMs && wants.ranges.some((range) => overlaps(range, outstanding.request))) continue;
      if (now - wants.since < this.options.waitMs) continue;
      const request = this.next(estate, wants.ranges, gaveUp);
      if (!request) continue;
      this.tokens -= 1;
      wants.outstanding = { request, sentAt: now };
      this.asked.set(estate, [...(this.asked.get(estate) ?? []), { from: request.fromSeq, to: request.toSeq }].slice(-REMEMBERED));
      requests.push(request);
    }
    return requests;
  }

  /** Whether seq was in a range recently asked for: a report that answers a resend. */
  requested(estate: string, seq: number): boolean {
    return (this.asked.get(estate) ?? []).some((range) => seq >= range.from && seq <= range.to);
  }

  private next(estate: string, ranges: readonly Range[], gaveUp: (estate: string, range: Range) => void): ResendRequest | undefined {
    for (const range of ranges) {
      const toSeq = Math.min(range.to, range.from + this.options.maxPerRequest - 1);
      const key = `${estate}:${range.from}:${toSeq}`;
      const attempt = (this.attempts.get(key) ?? 0) + 1;
      if (attempt > this.options.maxAttempts) {
        gaveUp(estate, { from: range.from, to: toSeq });
        this.abandon(estate, { from: range.from, to: toSeq });
        continue;
      }
      this.attempts.set(key, attempt);
      return { estate, fromSeq: range.from, toSeq, attempt };
    }
    return undefined;
  }

  private refill(now: number): void {
    const elapsed = this.refilledAt === undefined ? 0 : now - this.refilledAt;
    this.refilledAt = now;
    this.tokens = Math.min(this.options.perMinute, this.tokens + (elapsed * this.options.perMinute) / 60_000);
  }
}

function overlaps(range: Range, request: ResendRequest): boolean {
  return range.from <= request.toSeq && range.to >= request.fromSeq;
}

/** `range` minus the `removed` ranges. */
function without(range: Range, removed: readonly Range[]): Range[] {
  let parts: Range[] = [range];
  for (const cut of removed) {
    parts = parts.flatMap((part) => {
      if (cut.to < part.from || cut.from > part.to) return [part];
      return [
        ...(cut.from > part.from ? [{ from: part.from, to: cut.from - 1 }] : []),
        ...(cut.to < part.to ? [{ from: cut.to + 1, to: part.to }] : []),
      ];
    });
  }
  return parts;
}
