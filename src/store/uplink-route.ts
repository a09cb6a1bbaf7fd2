import type { Db } from './database.js';

/**
 * Copies every outbox row bound for the district into `uplink_outbox`, in the
 * transaction that queues it: rows whose topic starts with one of `prefixes`
 * or equals one of `topics`. The trigger is TEMP: the route exists only while
 * this process has an uplink, so nothing accumulates when it is unconfigured.
 * Returns the function that removes it.
 */
export function routeToUplink(db: Db, route: { prefixes: readonly string[]; topics: readonly string[] }): () => void {
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const when = [...route.prefixes.map((prefix) => `substr(NEW.topic, 1, ${prefix.length}) = ${literal(prefix)}`), ...route.topics.map((topic) => `NEW.topic = ${literal(topic)}`)].join(' OR ');
  db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS uplink_route AFTER INSERT ON main.outbox WHEN ${when}
    BEGIN INSERT INTO uplink_outbox (topic, payload, qos, retain, priority, created_at) VALUES (NEW.topic, NEW.payload, NEW.qos, NEW.retain, NEW.priority, NEW.created_at); END`);
  return () => db.exec('DROP TRIGGER IF EXISTS temp.uplink_route');
}
