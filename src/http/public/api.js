// The page's only way to the gateway: JSON calls with the bearer token, and the
// live event stream read with fetch (so the token never goes into a URL).
const TOKEN_KEY = 'gw-token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(problem) {
    super([problem.detail ?? problem.title, ...(problem.errors ?? [])].join('; '));
    this.problem = problem;
  }
}

function headers(extra = {}) {
  return { authorization: `Bearer ${token()}`, ...extra };
}

export async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(typeof data === 'object' ? data : { status: response.status, detail: String(data) });
  return data;
}

export async function download(path, filename) {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw new ApiError(await response.json());
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  URL.revokeObjectURL(url);
}

/**
 * Server-Sent Events over fetch [WHATWG HTML, 9.2.6 parsing]: blocks end with a
 * blank line; `event:` names the type, `data:` lines carry the JSON. Reconnects
 * after a drop and calls onOpen each time, so the page reloads what it missed;
 * onData on every chunk (heartbeats included) feeds the stale-screen guard.
 */
export function stream({ onEvent, onOpen, onDrop, onData }) {
  let stopped = false;
  let controller;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch('/api/events', { headers: headers(), signal: controller.signal });
        if (!response.ok) throw new ApiError(await response.json());
        await onOpen();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          onData?.();
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            dispatch(buffer.slice(0, end), onEvent);
            buffer = buffer.slice(end + 2);
          }
        }
        // The gateway ended the stream (it is stopping): as down as a broken link.
        if (!stopped) onDrop(new Error('live feed closed'));
      } catch (error) {
        if (stopped) return;
        onDrop(error);
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

function dispatch(block, onEvent) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  if (data.length > 0) onEvent(event, JSON.parse(data.join('\n')));
}
