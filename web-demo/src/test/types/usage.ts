// What docs/client-js.md shows, checked against switchboard.d.ts. Compiles only if the types allow it.
import { BackendList, ClientErrorCode, ErrorCode, ForbiddenError, MoveReason, MoveReasonText, RequestError, State, Switchboard, backoff,
  type BackendRecord, type ClientState } from '../../main/resources/webroot/switchboard.js';

const list = new BackendList({ coordinators: ['http://127.0.0.1:8080'], service: 'chat' });
const sb = new Switchboard({ list, policy: 'sticky', key: 'user-42', connections: 2, queueSize: 100, jitter: 0.5 });
sb.addEventListener('state', (e) => {
  const state: ClientState = e.detail.state;
  if (state === State.DEGRADED) console.log('running on fewer backends than asked');
});
sb.addEventListener('failover', (e) => console.log(e.detail.from?.id, e.detail.reason, e.detail.detail));
sb.addEventListener('move', (e) => {
  if (e.detail.reason === MoveReason.REBALANCE) console.log('rebalanced', e.detail.from.id, '→', e.detail.to.id, e.detail.detail);
  console.log(MoveReasonText[e.detail.reason]);
});
sb.addEventListener('message', (e) => {
  const m = e.detail;
  if (m.type === 'message') console.log(m.room, m.seq, m.data);
});
list.addEventListener('change', (e) => console.log(e.detail.backends.length, e.detail.type, list.keepAliveMs));
new Switchboard({ list, requestTimeoutMs: 3000 });
sb.start();

// a ticket: a fixed string, or a function asked again before every connection attempt
let minted = 0;
const withTicket = new Switchboard({
  coordinators: ['http://127.0.0.1:8080'],
  ticket: async () => {
    minted++;
    const response = await fetch('/api/switchboard-ticket', { credentials: 'include' });
    return response.text();
  },
});
new Switchboard({ coordinators: ['http://127.0.0.1:8080'], ticket: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' });
new Switchboard({ coordinators: ['http://127.0.0.1:8080'], ticket: () => 'eyJhbGciOiJIUzI1NiJ9.e30.sig' });

async function chat(): Promise<void> {
  try {
    await withTicket.join('admin');
  } catch (e) {
    if (e instanceof ForbiddenError && e.code === ErrorCode.FORBIDDEN) console.log('refused', e.room, e.id, minted);
    else if (e instanceof RequestError && e.code === ClientErrorCode.TIMEOUT) console.log('no answer', e.room);
    else if (e instanceof RequestError && e.code === ErrorCode.TOO_MANY_ROOMS) console.log('leave a room first');
  }
  const since: number = await sb.join('lobby');
  const seq: number = await sb.publish('lobby', { text: 'hello' });
  const taken: boolean = sb.send({ type: 'echo', id: 1, data: 'ping' });
  const primary: BackendRecord | null = sb.backend;
  console.log(since, seq, taken, primary?.url, sb.connected.length, backoff(3, 250, 10000));
}
void chat();

// @ts-expect-error: an unknown policy is a type error
new Switchboard({ coordinators: ['http://x'], policy: 'fastest' });
// @ts-expect-error: a ticket is a string or a function giving one
new Switchboard({ coordinators: ['http://x'], ticket: 42 });
