import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, Socket } from 'socket.io';
import { AccessTokens } from '../auth/access-tokens.js';
import { AppConfig } from '../config/app-config.js';
import { backoffMs } from '../messaging/backoff.js';
import { Presence, PRESENCE_REFRESH_MS, userRoom } from './presence.js';
import { realtimeChannelKey } from './realtime.js';

/** The socket.io path on the HTTP server. */
export const REALTIME_PATH = '/ws';

interface SocketData {
  userId: string;
}

/** The token of a handshake: `auth: { token }` (socket.io clients) or `Authorization: Bearer`. */
function handshakeToken(socket: Socket): string | undefined {
  const auth: unknown = socket.handshake.auth;
  const fromAuth =
    typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
  if (typeof fromAuth === 'string' && fromAuth.length > 0) return fromAuth.replace(/^Bearer /i, '');
  const header = socket.handshake.headers.authorization;
  return typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7) : undefined;
}

/**
 * socket.io on the app's own HTTP server at `/ws` (API processes only: a worker has no HTTP
 * server, and pushes through `Realtime`). The handshake must carry a valid access token (checked
 * by AccessTokens, revocation included) or the client gets `connect_error` with the reason. Each
 * socket joins `user:<id>` and is recorded in Presence; instances share rooms through
 * `@socket.io/redis-adapter` on REDIS_URL, keyed by REDIS_PREFIX. Clients only listen: the
 * server emits `notification` and `feed.item`.
 */
@Injectable()
// serveClient: the browser client at /ws/socket.io.esm.min.js (same origin, so the CSP allows it).
@WebSocketGateway({ path: REALTIME_PATH })
export class RealtimeGateway
  implements
    OnGatewayInit<Server>,
    OnGatewayConnection<Socket>,
    OnGatewayDisconnect<Socket>,
    BeforeApplicationShutdown,
    OnApplicationShutdown
{
  private readonly logger = new Logger('Realtime');
  private server?: Server;
  private redisClients: Redis[] = [];
  private refresher?: NodeJS.Timeout;
  /**
   * Each local socket's access token, kept in this process only (never in `socket.data`, which
   * the Redis adapter can carry between instances): every refresh re-verifies it, so a socket
   * ends when its token expires or its session is revoked (logout, a reused refresh token).
   */
  private readonly tokensBySocket = new Map<string, string>();

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: AccessTokens,
    private readonly presence: Presence,
  ) {}

  afterInit(server: Server): void {
    this.server = server;
    const options = {
      connectionName: 'realtime',
      maxRetriesPerRequest: 3,
      retryStrategy: (attempt: number) => backoffMs(attempt, 100, 2_000),
    };
    const pub = new Redis(this.config.REDIS_URL, options);
    const sub = pub.duplicate();
    for (const client of [pub, sub]) {
      client.on('error', (err: Error) =>
        this.logger.warn({ err: err.message }, 'realtime Redis connection error'),
      );
    }
    this.redisClients = [pub, sub];
    server.adapter(createAdapter(pub, sub, { key: realtimeChannelKey(this.config) }));
    server.use((socket, next) => {
      const token = handshakeToken(socket);
      if (!token) return next(new Error('unauthorized: no access token'));
      this.tokens.verify(token).then(
        (result) => {
          if ('error' in result) return next(new Error(`unauthorized: token ${result.error}`));
          (socket.data as SocketData).userId = result.userId;
          this.tokensBySocket.set(socket.id, token);
          next();
        },
        (err: unknown) => {
          this.logger.warn({ err: String(err) }, 'handshake token check failed');
          next(new Error('unavailable: retry shortly'));
        },
      );
    });
    this.refresher = setInterval(() => void this.refresh(), PRESENCE_REFRESH_MS);
    this.refresher.unref();
  }

  async handleConnection(socket: Socket): Promise<void> {
    const userId = (socket.data as SocketData).userId;
    await socket.join(userRoom(userId));
    try {
      await this.presence.touch([{ userId, socketId: socket.id }]);
    } catch (err) {
      // Without presence no push would find it: better refused now than silently deaf.
      this.logger.warn({ err: String(err) }, 'presence not recorded; disconnecting the socket');
      socket.disconnect(true);
    }
  }

  async handleDisconnect(socket: Socket): Promise<void> {
    this.tokensBySocket.delete(socket.id);
    const userId = (socket.data as SocketData | undefined)?.userId;
    if (!userId) return;
    // Failing here is harmless: the entry expires with PRESENCE_TTL_MS.
    await this.presence
      .remove([{ userId, socketId: socket.id }])
      .catch((err: unknown) =>
        this.logger.warn({ err: String(err) }, 'presence not removed; it expires on its own'),
      );
  }

  /** Closes this instance's sockets (clients reconnect to another one) and forgets their presence. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.refresher) clearInterval(this.refresher);
    if (!this.server) return;
    const local = this.localSockets();
    this.server.local.disconnectSockets(true);
    await this.presence
      .remove(local)
      .catch((err: unknown) =>
        this.logger.warn({ err: String(err) }, 'presence not removed at shutdown; it expires'),
      );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.redisClients.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private localSockets(): { userId: string; socketId: string }[] {
    const sockets = this.server ? [...this.server.of('/').sockets.values()] : [];
    return sockets.flatMap((s) => {
      const userId = (s.data as SocketData | undefined)?.userId;
      return userId ? [{ userId, socketId: s.id }] : [];
    });
  }

  private async refresh(): Promise<void> {
    await this.endLapsedSessions();
    try {
      await this.presence.touch(this.localSockets());
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'presence refresh failed; retrying at the next tick');
    }
  }

  /** Disconnects the local sockets whose token expired or whose session was revoked. */
  private async endLapsedSessions(): Promise<void> {
    const sockets = this.server ? [...this.server.of('/').sockets.values()] : [];
    for (const socket of sockets) {
      const token = this.tokensBySocket.get(socket.id);
      const result = token ? await this.tokens.verify(token) : { error: 'invalid' as const };
      // 'unavailable' (Redis down): keep the socket; the next refresh decides.
      if ('error' in result && result.error !== 'unavailable') {
        socket.emit('session.ended', { reason: result.error });
        socket.disconnect(true);
      }
    }
  }
}
