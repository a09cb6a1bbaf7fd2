/**
 * The schema version every payload carries as `v` (payload-fields.ts). Its own module so that what only builds
 * messages, such as the writer thread's outbox, loads no schema library (issue 14: the thread's memory).
 */
export const PAYLOAD_VERSION = 1;
