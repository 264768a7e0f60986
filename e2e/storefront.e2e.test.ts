import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStorefront, launchBrowser, screenshot } from './support/browser.js';
import { adminToken, createProduct, registerShopper } from './support/orders.js';
import { ADMIN, startSupergraph, type TestSupergraph } from './support/supergraph.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
/** The saga and the live push on a busy machine: generous, as SAGA_WAIT is for the API tests. */
const LIVE = { timeout: 25_000 };

describe('the storefront in a browser, against the real supergraph', () => {
  let graph: TestSupergraph;
  let browser: Browser;
  let origin: string;
  let dist: string;
  let productName: string;

  beforeAll(async () => {
    dist = await buildStorefront();
    graph = await startSupergraph({ gatewayEnv: { STOREFRONT_DIR: dist } });
    origin = new URL(graph.gatewayUrl).origin;
    const admin = await adminToken(graph);
    const seller = await registerShopper(graph, 'seller');
    productName = `Live Lamp ${randomUUID().slice(0, 6)}`;
    await createProduct(graph, admin, seller, { name: productName, price: '24.50', initialStock: 30 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    // A test that failed half-way may have left NATS stopped; the supergraph's stop needs it.
    await graph?.nats.start().catch(() => undefined);
    await browser?.close();
    await graph?.stop();
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  const newPage = async (viewport = DESKTOP) => (await browser.newContext({ viewport })).newPage();

  async function register(page: Page, name: string): Promise<string> {
    const email = `${name.toLowerCase().replace(/\W/g, '')}-${randomUUID().slice(0, 8)}@example.com`;
    await page.goto(`${origin}/#/register`);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('storefront-pass');
    await page.getByRole('button', { name: 'Create account' }).click();
    return email;
  }

  it('browses, registers, orders, sees the order confirmed live, pays, and shows the dashboard', {
    timeout: 120_000,
  }, async () => {
    const page = await newPage();
    await page.goto(origin);
    await page.getByRole('heading', { name: 'Catalog' }).waitFor();
    await expect.poll(() => page.locator('.grid .card').count(), LIVE).toBeGreaterThan(5);
    await screenshot(page, 'catalog');

    await page.getByLabel('Search products').fill(productName);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: productName }).click();
    await page.getByRole('heading', { name: productName }).waitFor();
    await expect(page.getByText('30 in stock')).toBeTruthy();
    await screenshot(page, 'product');
    await page.getByRole('button', { name: 'Add to cart' }).click();

    await register(page, 'Ada Shopper');
    await page.getByRole('heading', { name: 'Your cart' }).waitFor();
    await screenshot(page, 'cart');
    // With NATS away the order waits in PENDING (its event waits in the outbox): the change must arrive live.
    await graph.nats.stop();
    await page.getByRole('button', { name: 'Place order' }).click();
    const status = page.getByTestId('order-status');
    await status.getByText('Pending').waitFor(LIVE);
    const orderUrl = page.url();
    // A mark on the page's global object: a reload would drop it.
    await page.evaluate(() => Object.assign(globalThis, { noReload: true }));
    await screenshot(page, 'order-pending');
    await graph.nats.start();
    await status.getByText('Confirmed').waitFor(LIVE);
    expect(await page.evaluate(() => (globalThis as { noReload?: boolean }).noReload)).toBe(true);
    expect(page.url()).toBe(orderUrl);

    await page.getByLabel(/declined/).check();
    await page.getByRole('button', { name: 'Pay now' }).click();
    await page
      .getByRole('alert')
      .getByText(/declined/i)
      .waitFor(LIVE);
    await screenshot(page, 'order-declined');
    await page.getByLabel(/that pays/).check();
    await page.getByRole('button', { name: 'Pay now' }).click();
    await status.getByText('Paid').waitFor(LIVE);
    await screenshot(page, 'order-paid');

    await page.getByRole('link', { name: 'My account' }).click();
    await page.getByRole('heading', { name: 'Hello, Ada Shopper' }).waitFor();
    await page.getByTestId('credit-score').waitFor();
    await expect.poll(() => page.getByTestId('credit-score').textContent(), LIVE).toMatch(/645/);
    await page.getByTestId('my-orders').getByText('Paid').waitFor(LIVE);
    await screenshot(page, 'account');
    await page.context().close();
  });

  it("one customer's pages never show another customer's orders", { timeout: 90_000 }, async () => {
    const first = await newPage();
    await register(first, 'First Customer');
    await first.getByRole('heading', { name: 'Hello, First Customer' }).waitFor(LIVE);
    await first.getByRole('link', { name: 'Catalog' }).click();
    await first.getByLabel('Search products').fill(productName);
    await first.getByRole('button', { name: 'Search' }).click();
    await first.getByRole('button', { name: `Add ${productName} to cart` }).click();
    await first.getByRole('link', { name: /Cart/ }).click();
    await first.getByRole('button', { name: 'Place order' }).click();
    await first.getByTestId('order-status').waitFor(LIVE);
    const orderId = decodeURIComponent(first.url().split('/').pop() as string);

    const second = await newPage(PHONE);
    await register(second, 'Second Customer');
    await second.getByRole('heading', { name: 'Hello, Second Customer' }).waitFor(LIVE);
    await second.getByRole('heading', { name: /Orders/ }).waitFor();
    await second.getByText('No orders yet.').waitFor(LIVE);
    expect(await second.getByTestId('my-orders').locator('li').count()).toBe(0);
    await screenshot(second, 'account-phone');
    await second.goto(`${origin}/#/order/${orderId}`);
    await second.getByRole('heading', { name: 'Order not found' }).waitFor(LIVE);
    expect(await second.content()).not.toContain(orderId.slice(0, 8).toUpperCase());
    await second.getByRole('link', { name: 'Catalog' }).click();
    await expect.poll(() => second.locator('.grid .card').count(), LIVE).toBeGreaterThan(1);
    await screenshot(second, 'catalog-phone');
  });

  it('lets the admin create and restock a product', { timeout: 90_000 }, async () => {
    const page = await newPage();
    await page.goto(`${origin}/#/login`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Admin' }).click();
    const sku = `UI-${randomUUID().slice(0, 8).toUpperCase()}`;
    await page.getByLabel('SKU').fill(sku);
    await page.getByLabel('Name', { exact: true }).fill('Admin Made Mug');
    await page.getByLabel('Price (USD)').fill('-1');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.getByRole('region', { name: 'New product' }).getByRole('alert').waitFor();
    await page.getByLabel('Price (USD)').fill('12.00');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.getByText(`Created Admin Made Mug (${sku})`).waitFor(LIVE);
    await page.getByLabel('Find products').fill(sku);
    await page.getByTestId(`available-${sku}`).getByText('10').waitFor(LIVE);
    await page.getByLabel('Units to add to Admin Made Mug').fill('5');
    await page.getByRole('button', { name: 'Restock' }).click();
    await page.getByTestId(`available-${sku}`).getByText('15').waitFor(LIVE);
    await screenshot(page, 'admin');
  });
});
