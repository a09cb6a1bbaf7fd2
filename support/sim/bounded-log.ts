/** Most recent entries a simulator keeps for inspection; older ones are dropped so a long run stays flat. */
export const SIM_LOG_LIMIT = 1000;

/** Appends to a log kept to the last SIM_LOG_LIMIT entries. */
export function pushBounded<T>(log: T[], entry: T): void {
  log.push(entry);
  if (log.length > SIM_LOG_LIMIT) log.splice(0, log.length - SIM_LOG_LIMIT);
}
