import Fastify from 'fastify';

/** P1's anchor: a bare Fastify server answering what /health/live answers. */
const app = Fastify({ logger: false });
app.get('/health/live', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT ?? 3951), host: '127.0.0.1' });
