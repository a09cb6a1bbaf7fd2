import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { StringEnum } from '../schema/types.js';

/** `?bom=1` puts a UTF-8 byte order mark first, for Excel (store/csv.ts writes the CSV). */
export const BomQuery = StringEnum(['0', '1', 'true', 'false'] as const, { default: '0', description: '1: start with a UTF-8 byte order mark, so Excel reads the file as UTF-8' });

export const wantsBom = (value: string | undefined): boolean => value === '1' || value === 'true';

/** Sends a CSV document as a download named `filename`. */
export function sendCsv(reply: FastifyReply, filename: string, body: Readable | string): FastifyReply {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(body);
}
