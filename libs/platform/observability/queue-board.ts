import {
  ForbiddenException,
  Injectable,
  OnModuleInit,
  UnauthorizedException,
} from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccessTokens, ADMIN_ROLE } from '../auth/access-tokens.js';
import { sendProblem, toProblem } from '../http/problem.filter.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** The admin's access token: `Authorization: Bearer …`, or the `access_token` cookie (browsers). */
function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7);
  const cookie = request.headers.cookie ?? '';
  return /(?:^|;\s*)access_token=([^;]+)/.exec(cookie)?.[1];
}

/**
 * Bull Board (a UI over every BullMQ queue of this process: counts, jobs, retry, clean) at
 * `/admin/queues`, for admins only. It is a Fastify plugin outside Nest's routing, so it checks
 * the access token itself; not part of the API document.
 */
@Injectable()
export class QueueBoard implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly adapterHost: HttpAdapterHost,
    private readonly tokens: AccessTokens,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.register !== 'function') return; // worker: no HTTP
    const queues = [
      ...new Set(
        this.discovery
          .getProviders()
          .map((w) => w.instance as unknown)
          .filter((i): i is Queue => i instanceof Queue),
      ),
    ];
    const serverAdapter = new FastifyAdapter().setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
      serverAdapter,
    });
    const plugin = serverAdapter.registerPlugin();
    void fastify.register(
      async (scope) => {
        scope.addHook('onRequest', (request, reply) => this.guard(request, reply));
        await scope.register(plugin);
      },
      { prefix: QUEUE_BOARD_PATH },
    );
  }

  private async guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = tokenOf(request);
    const principal = token ? await this.tokens.verify(token) : undefined;
    if (principal && 'roles' in principal && principal.roles.includes(ADMIN_ROLE)) return;
    const err =
      principal && 'roles' in principal
        ? new ForbiddenException('Admins only.')
        : new UnauthorizedException('An admin access token is required.');
    sendProblem(reply, toProblem(err, request.url.split('?')[0], String(request.id)).problem);
  }
}
