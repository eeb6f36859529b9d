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
    @InjectRedis() private readonly redis: Redis,
  ) {}

  @Get('health/live')
  @ApiOperation({ summary: 'Liveness: the process is up and serving' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down' })
  ready() {
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
