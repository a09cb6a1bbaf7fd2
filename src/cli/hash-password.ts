import { GatewardenError } from '../errors.js';
import { hashPassword } from '../mqtt/password-hash.js';

/** [MQTT-3.1.3.5]: the password field is binary data behind a two-byte length, so at most 65,535 bytes. */
const MAX_PASSWORD_BYTES = 65_535;

/**
 * `gatewarden keys hash-password`: the scrypt hash that an embedded broker
 * user carries in `mqtt.broker.users[].passwordHash`. The password comes from
 * stdin (one line, `printf %s "$PW" | gatewarden keys hash-password`) or, on a
 * terminal, from a prompt that does not echo and asks twice. Only the hash goes
 * to stdout, so it can be captured by a script.
 */
export async function runHashPassword(input: NodeJS.ReadStream, prompt: NodeJS.WritableStream): Promise<string> {
  if (!input.isTTY) return hashPassword(checkPassword(passwordFromPipe(await readAll(input))));
  const password = checkPassword(await readHidden(input, prompt, 'password: '));
  if ((await readHidden(input, prompt, 'again: ')) !== password) throw invalid('the two passwords differ; nothing was hashed');
  return hashPassword(password);
}

/** One line, its line ending dropped (`echo` adds one); anything after it is a mistake worth refusing. */
function passwordFromPipe(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // The broker decodes the password it receives as UTF-8; other bytes could never match.
    throw invalid('expected the password as UTF-8 text on stdin');
  }
  const line = text.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(line)) throw invalid(`expected one line on stdin (the password), got ${line.split(/\r?\n|\r/).length}`);
  return line;
}

function checkPassword(password: string): string {
  if (password.length === 0) throw invalid('expected a password, got an empty one');
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw invalid(`expected at most ${MAX_PASSWORD_BYTES} bytes (the MQTT password field)`);
  return password;
}

async function readAll(input: NodeJS.ReadStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

function readHidden(input: NodeJS.ReadStream, prompt: NodeJS.WritableStream, question: string): Promise<string> {
  // No echo before the question shows: whatever is typed after it stays off the screen.
  input.setRawMode(true);
  prompt.write(question);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: GatewardenError) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      prompt.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        // Raw mode turns Ctrl-C and Ctrl-D into plain bytes: honour them as "give up".
        if (char === '\u0003' || char === '\u0004') return finish(invalid('cancelled'));
        typed = char === '\u007f' || char === '\b' ? [...typed].slice(0, -1).join('') : typed + char;
      }
    };
    input.on('data', onData);
  });
}

function invalid(message: string): GatewardenError {
  return new GatewardenError('GW_COMMAND_INVALID', `keys hash-password: ${message}`);
}
