import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * P1's second anchor: Nest 12 on Fastify with one controller and nothing else (no guards,
 * pipes, interceptors, middleware or logging), answering what /health/live answers. The gap
 * from raw Fastify is Nest's own routing; the gap from this to the app is what the platform
 * adds on top.
 */
@Controller()
class LiveController {
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [LiveController] })
class BareModule {}

const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), {
  logger: false,
});
await app.listen({ port: Number(process.env.PORT ?? 3952), host: '127.0.0.1' });
