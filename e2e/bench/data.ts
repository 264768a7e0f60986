import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { operation } from '../support/operations.ts';

interface Answer {
  data?: Record<string, any> | null;
  errors?: { message: string }[];
}

/** The benchmark's data, made through the gateway as a frontend would: products, customers, their orders. */
export interface BenchData {
  tokens: string[];
  productIds: string[];
}

export async function send(url: string, name: string, variables: object, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: operation(name), variables }),
  });
  return (await response.json()) as Answer;
}

export async function createData(
  url: string,
  admin: { email: string; password: string },
  counts: { customers: number; products: number; ordersEach: number },
): Promise<BenchData> {
  const login = await send(url, 'Login', { input: admin });
  const adminToken = login.data?.login?.token as string | undefined;
  if (!adminToken) throw new Error(`admin login failed: ${JSON.stringify(login)}`);
  const productIds: string[] = [];
  for (let i = 0; i < counts.products; i++) {
    const res = await send(
      url,
      'CreateProduct',
      {
        input: {
          sku: `BENCH-${randomUUID().slice(0, 12)}`,
          name: `Bench item ${i}`,
          price: `${10 + i}.50`,
          initialStock: 1_000_000,
        },
      },
      adminToken,
    );
    const id = res.data?.createProduct?.product?.id as string | undefined;
    if (!id) throw new Error(`createProduct failed: ${JSON.stringify(res)}`);
    productIds.push(id);
  }
  // A few at a time: password hashing is bounded per instance, and a busy machine times out a crowd.
  const tokens: string[] = [];
  for (let i = 0; i < counts.customers; i += 4) {
    const batch = Array.from({ length: Math.min(4, counts.customers - i) }, (_, k) => register(url, i + k));
    tokens.push(...(await Promise.all(batch)));
  }
  // Each customer orders a few different products, so Dashboard fetches several Product entities.
  for (const [i, token] of tokens.entries()) {
    for (let n = 0; n < counts.ordersEach; n++) {
      const items = [0, 1].map((k) => ({ productId: productIds[(i + n + k) % productIds.length], quantity: 1 }));
      await placeUntilPriced(url, token, items);
    }
  }
  return { tokens, productIds };
}

async function register(url: string, i: number): Promise<string> {
  const res = await send(url, 'RegisterCustomer', {
    input: {
      name: `Bench ${i}`,
      email: `bench-${i}-${randomUUID().slice(0, 8)}@example.com`,
      password: 'bench-password-1',
    },
  });
  const token = res.data?.registerCustomer?.token as string | undefined;
  if (!token) throw new Error(`registerCustomer failed: ${JSON.stringify(res)}`);
  return token;
}

/** The order subgraph learns of a new product from its event: until then the order is refused. */
async function placeUntilPriced(url: string, token: string, items: { productId?: string; quantity: number }[]) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await send(url, 'PlaceOrder', { input: { items } }, token);
    if (res.data?.placeOrder?.order) return;
    if (Date.now() > deadline) throw new Error(`placeOrder failed: ${JSON.stringify(res)}`);
    await sleep(200);
  }
}
