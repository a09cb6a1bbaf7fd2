/**
 * Whether the runtime knows `zone` as an IANA time zone (`estate.timeZone`). The zone list costs little; a
 * formatter loads ICU's calendar and locale data, about 8 MB of resident memory (issue 14), so only a name the
 * list leaves out (an alias such as Asia/Calcutta, or UTC) is tried by making one.
 */
export function isKnownTimeZone(zone: string): boolean {
  if (Intl.supportedValuesOf('timeZone').includes(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
