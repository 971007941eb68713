import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DeepSeekPoolService } from 'nestjs-deepseek-pool';
import { type BrowserContext, chromium } from 'playwright-core';
import { parseConfigClients } from '../src/clients/client-spec.js';
import { GatewayConfigError } from '../src/config/gateway-config-error.js';
import { loadGatewayConfig } from '../src/config/gateway-config.js';
import { type DemoUpstream, startDemoUpstream } from '../src/demo/demo-upstream.js';
import { createGateway } from '../src/gateway-app.js';
import { must } from '../../../test/support/must.js';
import { CapturedLogs, startGateway } from './support/gateway-harness.js';

const ADMIN_TOKEN = 'status-admin-token-0001';
/**
 * The Chromium the e2e global setup found (test/support/test-tools.mjs), headless, with everything that would reach for
 * the (closed) network switched off.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Where the screenshot goes: `npm run screenshot` sets STATUS_SCREENSHOT=docs/status-page.png. */
const SCREENSHOT = process.env.STATUS_SCREENSHOT;

/** A gateway in demo mode (the mock's demo cast) on 127.0.0.1, optionally with an admin token. */
async function startDemoGateway(
  adminToken?: string,
): Promise<{ url: string; app: NestFastifyApplication; demo: DemoUpstream }> {
  const demo = await startDemoUpstream();
  const config = loadGatewayConfig(adminToken ? { GATEWAY_ADMIN_TOKEN: adminToken } : {});
  const app = await createGateway(config, demo, new CapturedLogs());
  await app.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`, app, demo };
}

/** Sends one chat completion through the gateway and reads the answer to the end. */
async function chat(url: string, content: string): Promise<void> {
  const answer = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'deepseek-v4-flash',
      messages: [
        { role: 'system', content: 'You answer status page questions briefly.' },
        { role: 'user', content },
      ],
    }),
  });
  await answer.arrayBuffer();
}

function get(url: string, token?: string): Promise<Response> {
  return fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

describe('the status page in headless Chromium (demo cast, admin token set)', () => {
  let shared: Awaited<ReturnType<typeof startDemoGateway>> | undefined;
  let sharedBrowser: BrowserContext | undefined;
  let profile: string;
  /** The gateway and the browser of beforeAll (undefined when it failed). */
  const started = () => ({
    gateway: must(shared, 'the gateway of beforeAll'),
    browser: must(sharedBrowser, 'the browser of beforeAll'),
  });

  beforeAll(async () => {
    shared = await startDemoGateway(ADMIN_TOKEN);
    profile = mkdtempSync(join(tmpdir(), 'status-page-chromium-'));
    const executablePath = process.env.CHROMIUM_PATH;
    if (!executablePath)
      throw new Error('CHROMIUM_PATH is not set: run this test through `npm test` (its global setup finds Chromium)');
    sharedBrowser = await chromium.launchPersistentContext(profile, {
      executablePath,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 720 },
    });
  });
  afterAll(async () => {
    await sharedBrowser?.close();
    rmSync(profile, { recursive: true, force: true });
    await shared?.app.close();
  });

  it('shows every key with its state, and turns a key red within seconds once it goes bad under traffic', async () => {
    const { gateway, browser } = started();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${gateway.url}/status#token=${ADMIN_TOKEN}`);

    const ids = gateway.demo.keys.map((key) => key.id);
    for (const id of ids) await page.waitForSelector(`[data-key-id="${id}"]`);
    const cards = await page.locator('[data-key-id]').all();
    expect(await Promise.all(cards.map((card) => card.getAttribute('data-key-id')))).toEqual(ids);
    await page.waitForSelector('[data-key-id="revoked"][data-state="disabled"]');
    await page.waitForSelector('[data-key-id="healthy-2"][data-state="ready"]');
    expect(page.url()).not.toContain(ADMIN_TOKEN);

    const workers = Array.from({ length: 4 }, async (_, worker) => {
      for (let sent = 0; sent < 10; sent += 1)
        await chat(gateway.url, `Warm-up ${worker}.${sent}: a few tokens for the page to show`);
    });
    await Promise.all(workers);
    gateway.demo.mock.setKey('sk-demo-healthy-0002', { status: 401 });
    const pool = gateway.app.get(DeepSeekPoolService);
    const disabled = () => pool.snapshot().keys.find((key) => key.id === 'healthy-2')?.state === 'disabled';
    for (let sent = 0; sent < 300 && !disabled(); sent += 1) await chat(gateway.url, `Status page traffic ${sent}`);
    expect(disabled()).toBe(true);

    await page.waitForSelector('[data-key-id="healthy-2"][data-state="disabled"]', { timeout: 10_000 });
    expect(await page.textContent('[data-key-id="healthy-2"] .note')).toBe('Disabled: revoked');
    expect(await page.getAttribute('#live', 'data-live')).toBe('yes');
    await page.waitForSelector('#events li[data-type="key.disabled"]:has-text("healthy-2 disabled (revoked)")', {
      timeout: 10_000,
    });

    const html = await page.content();
    for (const key of gateway.demo.keys) expect(html).not.toContain(key.apiKey);
    expect(errors).toEqual([]);
    const screenshot = await page.screenshot({ fullPage: true, ...(SCREENSHOT ? { path: SCREENSHOT } : {}) });
    expect(screenshot.subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });

  it('lists each client token by name with its use against its limits and budgets, never the token', async () => {
    // Arrange: one client with a request limit and a daily budget, one request made with its token
    const token = 'status-client-token-0123456789';
    const records = parseConfigClients(
      [{ name: 'web', tenant: 'acme', token, limits: { requestsPerMinute: 60, usdPerDay: 5 } }],
      'GATEWAY_CLIENTS',
      (f, p) => new GatewayConfigError(f, p),
      new Date().toISOString(),
    );
    const gateway = await startGateway(
      { keys: [{ key: 'sk-status-clients-00000001', name: 'k1' }] },
      { adminToken: ADMIN_TOKEN, clients: { records, redisUrl: undefined, redisPrefix: 'unused:', refreshMs: 250 } },
    );
    const page = await started().browser.newPage();
    try {
      await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'Hi' }] }),
      });

      // Act
      await page.goto(`${gateway.url}/status#token=${ADMIN_TOKEN}`);
      await page.waitForSelector('#clients:not([hidden]) #client-rows tr');

      // Assert
      const cells = await page.locator('#client-rows td').allTextContents();
      expect(cells.slice(0, 2)).toEqual(['web (acme)', '1 / 60']);
      expect(cells[4]).toMatch(/^\$0\.\d{4} \/ \$5\.00$/);
      expect(await page.content()).not.toContain(token);
    } finally {
      await page.close();
      await gateway.close();
    }
  });

  it('asks for the admin token when opened without one, then connects with it', async () => {
    const { gateway, browser } = started();
    const page = await browser.newPage();
    await page.goto(`${gateway.url}/status`);
    await page.waitForSelector('#auth:not([hidden])');
    expect(await page.textContent('#live')).toContain('admin token required');
    expect(await page.$$('[data-key-id]')).toHaveLength(0);

    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#auth button');
    for (const { id } of gateway.demo.keys) await page.waitForSelector(`[data-key-id="${id}"]`);
    await page.waitForSelector('#auth[hidden]', { state: 'attached' });
    await page.close();
  });
});

describe('who may see the status page', () => {
  it('with an admin token: serves the page shell to anyone, its data only with `Authorization: Bearer <admin token>`', async () => {
    const gateway = await startDemoGateway(ADMIN_TOKEN);
    try {
      const page = await get(`${gateway.url}/status`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toMatch(
        /script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'self'/,
      );
      expect(await page.text()).not.toMatch(/sk-demo|healthy-1/);

      for (const path of ['/status/snapshot', '/status/events']) {
        expect((await get(`${gateway.url}${path}`)).status).toBe(401);
        expect((await get(`${gateway.url}${path}?token=${ADMIN_TOKEN}`)).status).toBe(401);
        expect((await get(`${gateway.url}${path}`, 'not-the-admin-token')).status).toBe(401);
        expect((await get(`${gateway.url}${path}`, ADMIN_TOKEN)).status).toBe(200);
      }
      const body = await (await get(`${gateway.url}/status/snapshot`, ADMIN_TOKEN)).text();
      for (const key of gateway.demo.keys) expect(body).not.toContain(key.apiKey);
      expect(JSON.parse(body)).toMatchObject({
        mode: 'demo',
        nowMs: expect.any(Number),
        pool: { total: gateway.demo.keys.length },
      });
    } finally {
      await gateway.app.close();
    }
  });

  it('in demo mode without an admin token: open', async () => {
    const gateway = await startDemoGateway();
    try {
      expect((await get(`${gateway.url}/status`)).status).toBe(200);
      expect((await get(`${gateway.url}/status/snapshot`)).status).toBe(200);
      const { events } = (await (await get(`${gateway.url}/status/events?after=0`)).json()) as {
        events: Array<{ seq: number; type: string }>;
      };
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'key.disabled', data: { keyId: 'revoked', reason: 'revoked' } }),
      );
      const last = Math.max(...events.map((event) => event.seq));
      expect(await (await get(`${gateway.url}/status/events?after=${last}`)).json()).toEqual({ events: [] });
    } finally {
      await gateway.app.close();
    }
  });

  it('with real keys and no admin token: off (404), like the admin API', async () => {
    const gateway = await startGateway(
      { keys: [{ key: 'sk-status-real-000000001', name: 'real' }] },
      { pool: { health: { probe: false } } },
    );
    try {
      for (const path of ['/status', '/status/snapshot', '/status/events'])
        expect((await get(`${gateway.url}${path}`)).status).toBe(404);
    } finally {
      await gateway.close();
    }
  });
});
