/**
 * Client ids bound to users. [MQTT-3.1.4-2] a CONNECT with the id of a
 * connected client disconnects that client: unbound, any user (the read-only
 * observer included) could knock the gateway off its own broker by using its id.
 *
 * - An id that starts with the user name (`observer`, `observer-tablet`) is the
 *   user's own, and is used as sent.
 * - The gateway's own id (`mqtt.clientId`, default `gatewarden-<estate>`) is
 *   reserved for the `gateway` user.
 * - An id that belongs to someone else (it starts with another user's name, the
 *   longest such name deciding, or it is reserved for the gateway) is refused:
 *   CONNACK 2, identifier rejected [MQTT 3.1.1 §3.2.2.3].
 * - Any other id (a library's random default such as `mqttjs_…` or `mosq-…`)
 *   is accepted and filed under `<user>/<id>`, so it can only ever replace a
 *   session of the same user. The `/` keeps it out of the private reply topics
 *   `…/cmd/<name>/reply/<clientId>` (one topic level): a client that wants its
 *   replies there uses an id of its own, as `gatewarden cmd` does (`<user>-cmd-…`).
 */
export type ClientIdVerdict = { ok: true; clientId: string } | { ok: false; owner: string };

export function clientIdRule(usernames: readonly string[], reserved: ReadonlyMap<string, string>) {
  // Longest first: with users `observer` and `observer2`, `observer2-x` is observer2's.
  const byLength = [...usernames].sort((a, b) => b.length - a.length);
  const ownerOf = (clientId: string) => reserved.get(clientId) ?? byLength.find((name) => clientId.startsWith(name));
  return (username: string, clientId: string): ClientIdVerdict => {
    const owner = ownerOf(clientId);
    if (owner === username) return { ok: true, clientId };
    if (owner !== undefined) return { ok: false, owner };
    const filed = `${username}/${clientId}`;
    const reservedFor = reserved.get(filed);
    return reservedFor === undefined ? { ok: true, clientId: filed } : { ok: false, owner: reservedFor };
  };
}
