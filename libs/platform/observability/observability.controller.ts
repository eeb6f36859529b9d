import {
  Controller,
  Get,
  Header,
  Req,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { Public } from '../auth/auth.decorators.js';
import { InjectRedis } from '../redis/redis.module.js';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from './metrics.js';
import { metricsAuthorized } from './metrics-server.js';
import { ReadinessChecks } from './readiness.js';

@ApiTags('platform')
@Public()
@Controller()
export class ObservabilityController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
    private readonly readiness: ReadinessChecks,
    @InjectRedis() private readonly redis: Redis,
  ) {}

  @Get('health/live')
  @ApiOperation({
    summary: 'Liveness: the process is up and serving',
    description:
      'For an orchestrator’s liveness probe: answers 200 `{ "status": "ok" }` as long as the ' +
      'event loop serves requests; it checks no dependency, so a database outage never gets a ' +
      'healthy process restarted. Not rate limited and not logged.',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['ok'] } },
      required: ['status'],
      example: { status: 'ok' },
    },
  })
  getLiveness() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: PostgreSQL and Redis answer',
    description:
      'For a load balancer’s readiness probe: 200 when PostgreSQL answers a ping within 2 s, ' +
      'Redis answers PING and every context’s own check is up (the streaming encoder: which ' +
      'ffmpeg and its version), 503 naming the dependency that is down otherwise (take the ' +
      'instance out of rotation; it comes back by itself). Not rate limited and not logged.',
  })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down (named in `error`)' })
  getReadiness() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 2000 }),
      async () => {
        const indicator = this.indicators.check('redis');
        try {
          await this.redis.ping();
          return indicator.up();
        } catch {
          return indicator.down({ message: 'Redis did not answer PING' });
        }
      },
      ...this.readiness.entries().map(([name, check]) => async () => {
        const { up, details } = await check();
        const indicator = this.indicators.check(name);
        return up ? indicator.up(details) : indicator.down(details);
      }),
    ]);
  }

  /**
   * Prometheus text format; not part of the public API document. With METRICS_PORT set it is
   * served on that port instead (404 here); with METRICS_TOKEN it needs `Bearer <token>`.
   */
  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(@Req() req: FastifyRequest): Promise<string> {
    if (this.config.METRICS_PORT !== undefined) throw new NotFoundException();
    if (!metricsAuthorized(this.config, req.headers.authorization))
      throw new UnauthorizedException();
    return this.metrics.render();
  }
}
