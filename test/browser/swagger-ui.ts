import type { TestApp } from '@app/testing';
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';

/** Where a failing step leaves its screenshot (gitignored). */
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');

/** Debian's Chromium on the PATH (`.ci/run` installs the `chromium` package when it is missing). */
export function findChromium(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not this one
    }
  }
  throw new Error('No chromium or chromium-browser on the PATH (apt-get install chromium)');
}

/** The flags every run uses: headless, no sandbox (root in CI), nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Makes the test app answer on a free loopback port; returns its base URL. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  const address = t.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

export interface Answer {
  status: number;
  body: any;
}

/**
 * Swagger UI driven the way a person uses it: filter by tag, expand an operation, Try it out,
 * fill the parameters and the JSON body, Execute, read the live response panel. Nothing here
 * calls the API directly; every request is the one Swagger UI builds and sends.
 */
export class SwaggerUi {
  constructor(
    readonly page: Page,
    private readonly base: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`${this.base}/docs`);
    await this.page.locator('.swagger-ui .information-container').waitFor();
  }

  /** Authorize dialog: paste the bearer token, Authorize, Close. */
  async authorize(token: string): Promise<void> {
    await this.page.locator('.auth-wrapper button.authorize').click();
    const modal = this.page.locator('.modal-ux');
    await modal.locator('input').first().fill(token);
    await modal.locator('button.modal-btn.authorize').click();
    // Authorized: the dialog now offers Logout instead of Authorize.
    await modal.locator('button.modal-btn', { hasText: 'Logout' }).waitFor();
    await modal.locator('button.modal-btn.btn-done').click();
    await modal.waitFor({ state: 'detached' });
  }

  /** The operation's block, found through the UI filter (by tag) and expanded, in try-it-out mode. */
  async operation(tag: string, operationId: string): Promise<Operation> {
    const filter = this.page.locator('input.operation-filter-input');
    if ((await filter.inputValue()) !== tag) await filter.fill(tag);
    const block = this.page.locator(`#operations-${tag}-${operationId}`);
    if (!(await block.locator('.opblock-body').isVisible())) {
      await block.locator('.opblock-summary-control, .opblock-summary').first().click();
    }
    await block.locator('.opblock-body').waitFor();
    const tryOut = block.locator('button.try-out__btn');
    if ((await tryOut.count()) > 0 && /try it out/i.test(await tryOut.innerText())) {
      await tryOut.click();
    }
    await block.locator('button.execute').waitFor();
    return new Operation(block);
  }
}

export class Operation {
  constructor(readonly block: Locator) {}

  private paramInput(name: string, location: string): Locator {
    return this.block.locator(`tr[data-param-name="${name}"][data-param-in="${location}"] input`);
  }

  /** Types into the parameter's input, or picks the option of an enum's drop-down. */
  async param(name: string, location: 'path' | 'query' | 'header', value: string): Promise<this> {
    const row = this.block.locator(`tr[data-param-name="${name}"][data-param-in="${location}"]`);
    await row.waitFor();
    const select = row.locator('select');
    if ((await select.count()) > 0) await select.selectOption(value);
    else await row.locator('input').fill(value);
    return this;
  }

  /** What the parameter's input holds before anything is typed (e.g. the documented example). */
  paramValue(name: string, location: 'path' | 'query' | 'header'): Promise<string> {
    return this.paramInput(name, location).inputValue();
  }

  async body(json: unknown): Promise<this> {
    await this.block.locator('textarea.body-param__text').fill(JSON.stringify(json, null, 2));
    return this;
  }

  /** Execute, wait for the live response panel, read its status code and JSON body. */
  async execute(): Promise<Answer> {
    const clear = this.block.locator('button.btn-clear');
    if (await clear.isVisible()) {
      await clear.click();
      await this.block.locator('.live-responses-table').waitFor({ state: 'detached' });
    }
    await this.block.locator('button.execute').click();
    const live = this.block.locator('.live-responses-table .response').first();
    const status = live.locator('.response-col_status');
    // Either an answer arrives, or Swagger UI refuses to send and marks the fields it wants.
    const invalid = this.block.locator('.parameters .invalid, .body-param .invalid');
    await status.or(invalid).first().waitFor();
    if (!(await status.isVisible())) {
      const names = await this.block
        .locator('tr:has(.invalid)')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-param-name') ?? 'body'));
      throw new Error(`Swagger UI refused to send; it marks as invalid: ${names.join(', ')}`);
    }
    const code = Number.parseInt((await status.innerText()).trim(), 10);
    const text = await live.locator('.response-col_description pre').first().textContent();
    let body: unknown = text;
    try {
      body = JSON.parse(text ?? '');
    } catch {
      // not JSON (e.g. an empty 204): keep the text
    }
    return { status: code, body };
  }

  /** Executes again (no sleeps: each round waits for its answer) until `done` or `timeoutMs`. */
  async executeUntil(done: (a: Answer) => boolean, timeoutMs = 20_000): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.execute();
      if (done(answer)) return answer;
      if (Date.now() > deadline) {
        throw new Error(
          `gave up waiting; last answer ${answer.status} ${JSON.stringify(answer.body)}`,
        );
      }
      await this.block.page().waitForTimeout(100); // poll interval, not an ordering wait
    }
  }
}

/** Runs one step; on failure saves `artifacts/<name>.png` and rethrows, naming the step. */
export async function step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true }).catch(() => {});
    throw new Error(`Swagger UI step "${name}" failed: ${(err as Error).message}`, { cause: err });
  }
}
