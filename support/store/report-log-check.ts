import type { Db } from '../../src/store/database.js';
import { GENESIS_HASH, linkHash, type Payload } from '../../src/store/report-chain-format.js';

/**
 * Reads a gateway's whole report log and says what is wrong with it: a seq
 * missing, a row that does not parse, a link that does not follow from the
 * row before. An empty list is a whole chain.
 */
export function reportLogFaults(db: Db): string[] {
  const rows = db.prepare('SELECT seq, hash, payload FROM report_log ORDER BY seq').all() as Array<{ seq: number; hash: string; payload: string }>;
  const faults: string[] = [];
  let prev = GENESIS_HASH;
  rows.forEach((row, index) => {
    if (row.seq !== index + 1) faults.push(`seq ${row.seq} at position ${index + 1}`);
    let payload: Payload;
    try {
      payload = JSON.parse(row.payload) as Payload;
    } catch {
      faults.push(`seq ${row.seq}: payload does not parse`);
      return;
    }
    if (payload.seq !== row.seq || payload.prev !== prev) faults.push(`seq ${row.seq}: does not follow seq ${row.seq - 1}`);
    if (payload.hash !== row.hash || linkHash(prev, payload) !== row.hash) faults.push(`seq ${row.seq}: hash does not verify`);
    prev = row.hash;
  });
  return faults;
}
