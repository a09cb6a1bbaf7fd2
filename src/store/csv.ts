import { Readable } from 'node:stream';
import { stringify, type Options } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';

/**
 * The one CSV writer (RFC 4180 through csv-stringify: CRLF line ends; a field
 * with a comma, quote or line break is quoted, quotes doubled), for the HTTP
 * exports and `gatewarden trace`.
 *
 * CSV injection (OWASP, "CSV Injection"): a spreadsheet runs a text cell that
 * starts with `=`, `+`, `@`, TAB, CR or LF as a formula, so such a cell gets a
 * `'` prefix. A cell starting with `-` gets it only when something after the
 * dash could call a function, reach another sheet or program (`(`, `|`, `!`,
 * quotes, operators, spaces…): a keyed hash (base64url, which may start with
 * `-`) or a negative number is made only of letters, digits, `_`, `-` and `.`,
 * is at worst read as a name or a number, and stays byte for byte what the
 * gateway stored (`gatewarden trace --hash` takes it back). Numbers are never
 * prefixed. csv-stringify's own `escape_formulas` prefixes every `-` and would
 * corrupt those hashes.
 */

export interface CsvOptions {
  /** A UTF-8 byte order mark first, so Excel reads the file as UTF-8 (gate names, reasons in Chinese). */
  bom?: boolean;
}

const LIVE_START = /^[=+@\t\r\n]/;
const PLAIN_AFTER_DASH = /^-[A-Za-z0-9_.-]*$/;

/** Whether a spreadsheet would evaluate this text cell. */
export function isLiveFormula(text: string): boolean {
  return LIVE_START.test(text) || (text.startsWith('-') && !PLAIN_AFTER_DASH.test(text));
}

/** A value as one cell: arrays joined by spaces (reasons, gates), live formulas defused, numbers as they are. */
export function csvCell(value: unknown): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return value;
  const text = Array.isArray(value) ? value.join(' ') : String(value);
  return isLiveFormula(text) ? `'${text}` : text;
}

const options = (columns: readonly string[], { bom = false }: CsvOptions): Options => ({
  header: true,
  columns: columns.map((column) => ({ key: column, header: column })),
  record_delimiter: 'windows',
  // RFC 4180 2.6: a bare CR or LF is a line break too; csv-stringify quotes only the record delimiter (CRLF) by itself.
  quoted_match: /[\r\n]/,
  bom,
});

type Row = Readonly<Record<string, unknown>>;

const record = (columns: readonly string[], row: Row): Record<string, string | number> => Object.fromEntries(columns.map((column) => [column, csvCell(row[column])]));

/** A whole CSV document, for results already in memory (a trace). */
export function toCsv(columns: readonly string[], rows: Iterable<Row>, csvOptions: CsvOptions = {}): string {
  return stringifySync([...rows].map((row) => record(columns, row)), options(columns, csvOptions));
}

/** A CSV document streamed row by row from `rows` (a paged export); an error in `rows` ends the stream with it. */
export function csvStream(columns: readonly string[], rows: Iterable<Row> | AsyncIterable<Row>, csvOptions: CsvOptions = {}): Readable {
  const source = Readable.from(mapRows(columns, rows));
  const stringifier = stringify(options(columns, csvOptions));
  source.on('error', (error) => stringifier.destroy(error));
  return source.pipe(stringifier);
}

async function* mapRows(columns: readonly string[], rows: Iterable<Row> | AsyncIterable<Row>): AsyncGenerator<Record<string, string | number>> {
  for await (const row of rows) yield record(columns, row);
}
