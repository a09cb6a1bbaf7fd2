/** CSV per RFC 4180: CRLF line ends; a field with a comma, quote or line break is quoted, quotes doubled (2.6, 2.7). */
export async function* toCsv<T extends object>(columns: ReadonlyArray<keyof T>, rows: Iterable<T> | AsyncIterable<T>): AsyncGenerator<string> {
  yield `${columns.map((column) => field(String(column))).join(',')}\r\n`;
  for await (const row of rows) yield `${columns.map((column) => field(row[column])).join(',')}\r\n`;
}

function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = Array.isArray(value) ? value.join(' ') : String(value);
  // A leading = + - @ makes spreadsheets evaluate the cell (CSV injection): prefix a quote.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
