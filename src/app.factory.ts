import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttp, loadConfig } from '@app/platform';
import type { DynamicModule } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppModule, hostedTags } from './app.module.js';
import { CONTEXTS } from './contexts.js';

export interface CreateAppOptions {
  /** Extra modules (tests add probe consumers and controllers). */
  imports?: DynamicModule['imports'];
  logStream?: NodeJS.WritableStream;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Builds the HTTP application from an environment map: validated config, the hosted contexts,
 * Fastify, and every HTTP concern. `main.ts` and the test factory both use it.
 */
export async function createApp(
  env: Record<string, string | undefined>,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const config = loadConfig(env, CONTEXTS);
  const adapter = new FastifyAdapter({
    bodyLimit: 1_048_576,
    trustProxy: config.TRUST_PROXY,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : uuidv7();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, options),
    adapter,
    { bufferLogs: true },
  );
  await configureHttp(app, hostedTags(config));
  return app;
}
