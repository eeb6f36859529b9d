import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';

/** P5c's anchor: a bare Fastify + @fastify/static serving the same HLS files from disk. */
const app = Fastify({ logger: false });
await app.register(fastifyStatic, { root: process.env.STATIC_ROOT!, prefix: '/' });
await app.listen({ port: Number(process.env.PORT ?? 3953), host: '127.0.0.1' });
