import { EventBus } from '../event-bus.js';
import { defaultPrefix, topicsFor } from '../contract/topics.js';
import { checkDatabasePresence, markDatabaseCreated } from '../store/db-presence.js';
import { Journal } from '../store/journal.js';
import { knownRosterCards } from '../store/person-hashes.js';
import { rekeyRosterCards } from '../store/person-rekey.js';
import { reportSigner } from '../store/report-chain-format.js';
import { openStoreConnections } from '../store/store-connections.js';
import { subjectHasher } from '../store/subject-hash.js';
import type { GatewayStore, StartContext } from './context.js';

/**
 * Opens the database (refusing a missing one unless `newDatabase`): its writer thread, which commits the
 * decisions in groups, and a read-only connection beside it; then the journal that writes to it.
 */
export function openStore({ config, secrets, clock, log, stops }: StartContext, newDatabase: boolean): GatewayStore {
  const topics = topicsFor(config.mqtt.topicPrefix ?? defaultPrefix(config.estate.id));
  const freshDatabase = checkDatabasePresence(config.storage.path, { allowNew: newDatabase, log });
  const connections = openStoreConnections({ path: config.storage.path, synchronous: config.storage.synchronous, log });
  stops.push(() => connections.close());
  const { db, reader, writer } = connections;
  const access = { committer: writer, reader };
  markDatabaseCreated(config.storage.path, new Date(clock.now()), freshDatabase);
  const signer = secrets.gatewayKey && reportSigner(secrets.gatewayKey);
  const events = new EventBus(log);
  const journal = new Journal(db, topics, subjectHasher(Buffer.from(secrets.estateKey, 'base64url')), signer, events, access);
  rekeyRosterCards(db, journal.hashSubject, knownRosterCards(db, config.roster.cards), log);
  return { db, pragmas: (sources) => writer.pragmas(sources), access, journal, events, topics, signer };
}
