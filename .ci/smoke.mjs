// CI smoke: what a new user gets from `npm ci && npm start` on an empty database. Starts the
// built server (development, demo data on), reads the demo credentials from its one
// "demo data loaded" log line, then logs in as the demo customer and places an order with the
// vaulted demo card until it is CONFIRMED — over HTTP, as a client would. Exits non-zero, saying
// which step failed, otherwise.
//   node .ci/smoke.mjs <port> <database url>
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';

const [port, databaseUrl] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;
const deadline = (seconds) => Date.now() + seconds * 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const server = spawn(process.execPath, ['dist/src/main.js'], {
  env: {
    ...process.env,
    NODE_ENV: 'development',
    PORT: port,
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: `ci-smoke-${process.pid}:`,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});

const demo = new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).on('line', (line) => {
    const match = /demo data loaded: customer (\S+) \/ (\S+) \(card (tok_[\w-]+)/.exec(line);
    if (match) resolve({ email: match[1], password: match[2], cardToken: match[3] });
  });
  server.on('exit', (code) =>
    reject(new Error(`server exited (${code}) before loading demo data`)),
  );
});

async function call(method, path, { token, body, headers } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function step(name, fn) {
  try {
    const value = await fn();
    console.log(`smoke: ${name} ✓`);
    return value;
  } catch (err) {
    throw new Error(`smoke step "${name}" failed: ${err.message}`);
  }
}

async function main() {
  const credentials = await step('demo data loaded on an empty database', () =>
    Promise.race([
      demo,
      sleep(300_000).then(() => Promise.reject(new Error('no demo log line in 300 s'))),
    ]),
  );
  await step('ready', async () => {
    for (const until = deadline(60); Date.now() < until; await sleep(500)) {
      if ((await fetch(`${base}/health/ready`).catch(() => undefined))?.ok) return;
    }
    throw new Error('/health/ready never answered 200');
  });
  await step('serves /docs and the document', async () => {
    const doc = await call('GET', '/docs/openapi.json');
    if (!doc.paths['/v1/commerce/orders'])
      throw new Error('no /v1/commerce/orders in the document');
  });
  const { accessToken } = await step('demo customer logs in', () =>
    call('POST', '/v1/identity/login', {
      body: { email: credentials.email, password: credentials.password },
    }),
  );
  const product = await step('searches the demo catalog', async () => {
    const found = await call('GET', '/v1/commerce/products?limit=5');
    const hit = found.items?.[0] ?? found.hits?.[0];
    if (!hit) throw new Error(`no product in ${JSON.stringify(found).slice(0, 200)}`);
    return hit;
  });
  await step('adds it to the cart', () =>
    call('POST', '/v1/commerce/cart/items', {
      token: accessToken,
      body: { productId: product.id, quantity: 1 },
    }),
  );
  const order = await step('places the order with the demo card', () =>
    call('POST', '/v1/commerce/orders', {
      token: accessToken,
      body: { cardToken: credentials.cardToken },
      headers: { 'idempotency-key': randomUUID() },
    }),
  );
  await step(`order ${order.id} CONFIRMED`, async () => {
    let last;
    for (const until = deadline(60); Date.now() < until; await sleep(500)) {
      last = await call('GET', `/v1/commerce/orders/${order.id}`, { token: accessToken });
      if (last.status === 'CONFIRMED') return;
      if (last.status === 'FAILED') throw new Error(`FAILED: ${last.failureReason}`);
    }
    throw new Error(`still ${last?.status} after 60 s`);
  });
}

main()
  .then(
    () => 0,
    (err) => (console.error(err.message), 1),
  )
  .then(async (code) => {
    server.kill('SIGTERM');
    await new Promise((resolve) =>
      server.exitCode !== null ? resolve() : server.on('exit', resolve),
    );
    process.exit(code);
  });
