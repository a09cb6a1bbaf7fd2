import { parseLogLine, type GatewayProcess } from '../gateway/gateway-process.js';

/** What the chaos run reads from the gateway's JSON log lines, over every process of the run. */
export interface GatewayLogTally {
  /** `alert raised` lines of type barrier-forced: a passage the sensor saw without a grant. */
  barrierForced: number;
  /** `database write failed` lines: the lane referred because storage failed. */
  storageErrors: number;
}

/** Counts from now on, across restarts of `gateway`. */
export function tallyGatewayLog(gateway: GatewayProcess): GatewayLogTally {
  const tally: GatewayLogTally = { barrierForced: 0, storageErrors: 0 };
  gateway.onLogLine((line) => {
    const entry = parseLogLine(line);
    if (entry?.msg === 'alert raised' && entry.alert === 'barrier-forced') tally.barrierForced += 1;
    if (entry?.msg?.startsWith('database write failed')) tally.storageErrors += 1;
  });
  return tally;
}
