import { openReader, type Db, type OpenOptions } from './database.js';
import { writerDb } from './writer-db.js';
import { WriterThread } from './writer-thread.js';

/** The gateway's connections to its database: one writer, on its thread, and one reader. */
export interface StoreConnections {
  /** The writer thread's connection as a `Db`: synchronous writes, and reads that must see them. */
  db: Db;
  /** Read-only: lists, exports, traces, the outbox drain. */
  reader: Db;
  /** Commits decisions off the event loop, many at once (writer-thread.ts). */
  writer: WriterThread;
  close(): Promise<void>;
}

/** Starts the writer thread (it opens and migrates the database), then opens the reader beside it. */
export function openStoreConnections(options: OpenOptions): StoreConnections {
  const writer = WriterThread.open(options);
  const db = writerDb(writer);
  // An in-memory database exists only inside the writer's connection: reads go there too.
  const reader = options.path === ':memory:' ? db : openReader(options.path);
  return {
    db,
    reader,
    writer,
    close: async () => {
      if (reader !== db) reader.close();
      await writer.close();
    },
  };
}
