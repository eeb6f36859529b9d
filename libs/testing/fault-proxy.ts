/**
 * A small TCP fault proxy (Node `net`; there is no toxiproxy here): put it between the app and
 * PostgreSQL or Redis and inject network faults on that link while the app runs.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { registerForCleanup } from './fault-lab.js';

export type ProxyFault =
  /** Every chunk is delayed by `ms`, in both directions, in order. */
  | { kind: 'latency'; ms: number }
  /** Existing and new connections are destroyed with a TCP RST (the peer sees ECONNRESET). */
  | { kind: 'reset' }
  /**
   * Nothing gets through and nothing is answered: existing connections stop forwarding (what
   * they send is read and dropped), new ones are accepted and never reach the target.
   */
  | { kind: 'blackhole' }
  /**
   * One direction stops (`toClient`, the default: the target's answers are dropped) and no FIN
   * or close is passed on in either direction: the peer believes a dead connection is open.
   */
  | { kind: 'halfOpen'; direction?: 'toClient' | 'toTarget' };

export const faults = {
  latency: (ms: number): ProxyFault => ({ kind: 'latency', ms }),
  reset: (): ProxyFault => ({ kind: 'reset' }),
  blackhole: (): ProxyFault => ({ kind: 'blackhole' }),
  halfOpen: (direction: 'toClient' | 'toTarget' = 'toClient'): ProxyFault => ({
    kind: 'halfOpen',
    direction,
  }),
};

export interface FaultProxy {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** The target URL with its host:port replaced by the proxy's (or `127.0.0.1:<port>`). */
  url: string;
  /** The fault now in force (`undefined`: pass-through). */
  readonly fault: ProxyFault | undefined;
  /** Connections open now. */
  readonly connections: number;
  set(fault: ProxyFault): void;
  /**
   * Back to pass-through: new connections and every existing one that lost nothing. A
   * connection that had bytes dropped cannot continue its protocol, so it is closed (FIN).
   */
  clear(): void;
  close(): Promise<void>;
}

type Direction = 'toTarget' | 'toClient';

interface Link {
  client: Socket;
  target?: Socket;
  /** Bytes were dropped on it: the protocol stream is broken. */
  damaged: boolean;
  queues: Record<Direction, { at: number; chunk: Buffer }[]>;
  timers: Record<Direction, NodeJS.Timeout | undefined>;
}

export async function startFaultProxy(
  target: string | { host: string; port: number },
): Promise<FaultProxy> {
  const { host, port: targetPort } =
    typeof target === 'string'
      ? { host: new URL(target).hostname, port: Number(new URL(target).port) }
      : target;
  let fault: ProxyFault | undefined;
  const links = new Set<Link>();

  const blocked = (link: Link, dir: Direction): boolean =>
    fault?.kind === 'blackhole' ||
    (fault?.kind === 'halfOpen' && (fault.direction ?? 'toClient') === dir) ||
    (dir === 'toTarget' && !link.target);

  const sink = (link: Link, dir: Direction): Socket | undefined =>
    dir === 'toTarget' ? link.target : link.client;

  const flush = (link: Link, dir: Direction) => {
    link.timers[dir] = undefined;
    const queue = link.queues[dir];
    const now = Date.now();
    while (queue.length && queue[0].at <= now) {
      const { chunk } = queue.shift()!;
      if (blocked(link, dir)) link.damaged = true;
      else sink(link, dir)?.write(chunk);
    }
    if (queue.length)
      link.timers[dir] = setTimeout(() => flush(link, dir), queue[0].at - now).unref();
  };

  const forward = (link: Link, dir: Direction, chunk: Buffer) => {
    if (blocked(link, dir)) {
      link.damaged = true;
      return;
    }
    const delay = fault?.kind === 'latency' ? fault.ms : 0;
    const queue = link.queues[dir];
    // Behind chunks still delayed, so the order is kept after the latency is cleared.
    if (delay === 0 && !queue.length) {
      sink(link, dir)?.write(chunk);
      return;
    }
    queue.push({ at: Date.now() + delay, chunk });
    if (!link.timers[dir])
      link.timers[dir] = setTimeout(() => flush(link, dir), queue[0].at - Date.now()).unref();
  };

  const drop = (link: Link, rst = false) => {
    if (!links.delete(link)) return;
    for (const t of Object.values(link.timers)) if (t) clearTimeout(t);
    for (const s of [link.client, link.target]) {
      if (!s || s.destroyed) continue;
      if (rst) s.resetAndDestroy();
      else s.destroy();
    }
  };

  /** An end or close of one side, passed on unless the fault hides it (half-open, black hole). */
  const hidden = () => fault?.kind === 'halfOpen' || fault?.kind === 'blackhole';
  const onEnd = (link: Link, from: Direction) => {
    const other = from === 'toTarget' ? link.target : link.client;
    if (!hidden() && other && !other.destroyed) other.end();
  };
  const onClose = (link: Link) => {
    if (!hidden()) drop(link);
  };

  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const link: Link = {
      client,
      damaged: false,
      queues: { toTarget: [], toClient: [] },
      timers: { toTarget: undefined, toClient: undefined },
    };
    links.add(link);
    client.on('error', () => onClose(link));
    if (fault?.kind === 'reset') {
      drop(link, true);
      return;
    }
    client.on('data', (chunk: Buffer) => forward(link, 'toTarget', chunk));
    client.on('end', () => onEnd(link, 'toTarget'));
    client.on('close', () => onClose(link));
    // A black hole never reaches the target: the connection just never answers.
    if (fault?.kind === 'blackhole') {
      link.damaged = true;
      return;
    }
    const upstream = connect({ host, port: targetPort });
    link.target = upstream;
    upstream.setNoDelay(true);
    upstream.on('data', (chunk: Buffer) => forward(link, 'toClient', chunk));
    upstream.on('end', () => onEnd(link, 'toClient'));
    upstream.on('close', () => onClose(link));
    upstream.on('error', () => onClose(link));
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as { port: number }).port;
  const url =
    typeof target === 'string'
      ? (() => {
          const u = new URL(target);
          u.hostname = '127.0.0.1';
          u.port = String(port);
          return u.toString();
        })()
      : `127.0.0.1:${port}`;

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    unregister();
    for (const link of links) drop(link);
    await new Promise<void>((ok) => server.close(() => ok()));
  };
  const unregister = registerForCleanup({ destroy: close });

  return {
    port,
    url,
    get fault() {
      return fault;
    },
    get connections() {
      return links.size;
    },
    set(next) {
      fault = next;
      if (next.kind === 'reset') for (const link of links) drop(link, true);
    },
    clear() {
      fault = undefined;
      for (const link of links) {
        const gone = link.client.destroyed || !link.target || link.target.destroyed;
        if (link.damaged || gone) drop(link);
      }
    },
    close,
  };
}
