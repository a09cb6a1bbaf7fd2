/** Issuer public keys, keyed by `kid`, and when the list was last refreshed. */
export interface TrustList {
  /** kid → raw 32-byte Ed25519 public key, base64url. */
  issuers: Readonly<Record<string, string>>;
  refreshedAt: number;
  /** Past this age the gate is `TRUST_STALE`; `null` means the list never goes stale. */
  maxAgeMs: number | null;
}

export function isTrustStale(list: TrustList, now: number): boolean {
  return list.maxAgeMs !== null && now - list.refreshedAt > list.maxAgeMs;
}
