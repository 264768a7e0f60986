import { ConfigError } from '@commerce-supergraph/shared/config';
import { runService } from '@commerce-supergraph/shared/process';
import { newKeyPair } from '@commerce-supergraph/test-support/tokens';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOrderSubgraph, selectPaymentProvider } from '../src/app.js';
import { readOrderConfig } from '../src/config.js';
import type { PaymentProvider } from '../src/ports/payment-provider.js';
import { SimulatedPaymentProvider } from '../src/ports/simulated-payment-provider.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  GATEWAY_SECRET: 'g'.repeat(48),
  JWT_PUBLIC_KEYS: newKeyPair().publicKey,
  NATS_USER: 'order',
  NATS_PASSWORD: 'n'.repeat(48),
};
const acme: PaymentProvider = { charge: async () => ({ outcome: 'invalid-token' }) };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('PAYMENT_PROVIDER', () => {
  it('is required in production: no provider is assumed there, not even the simulated one', () => {
    expect(() => readOrderConfig(PRODUCTION)).toThrow('PAYMENT_PROVIDER is required when NODE_ENV=production');
  });

  it('stops a production start, saying so in one line with exit code 1', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    await expect(runService('order', () => createOrderSubgraph(readOrderConfig(PRODUCTION)))).rejects.toThrow('exit 1');
    expect(printed).toHaveBeenCalledWith(
      'order: Invalid configuration:\n  - PAYMENT_PROVIDER is required when NODE_ENV=production',
    );
  });

  it('is simulated by default in development and tests, and said to be a development default', () => {
    for (const env of [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }]) {
      const config = readOrderConfig(env);
      expect(config.paymentProvider).toBe('simulated');
      expect(config.devDefaultsUsed).toContain('PAYMENT_PROVIDER');
      expect(selectPaymentProvider(config.paymentProvider)).toBeInstanceOf(SimulatedPaymentProvider);
    }
  });

  it('may name simulated in production: then it is used because it is named', () => {
    const config = readOrderConfig({ ...PRODUCTION, PAYMENT_PROVIDER: 'simulated' });
    expect(config.devDefaultsUsed).toEqual([]);
    expect(selectPaymentProvider(config.paymentProvider)).toBeInstanceOf(SimulatedPaymentProvider);
    expect(() => createOrderSubgraph(config)).not.toThrow();
  });

  it('selects an adapter passed by name, and never the simulated one in its place', () => {
    const config = readOrderConfig({ ...PRODUCTION, PAYMENT_PROVIDER: 'acme' });
    expect(selectPaymentProvider(config.paymentProvider, { acme })).toBe(acme);
    expect(() => createOrderSubgraph(config, { paymentProviders: { acme } })).not.toThrow();
  });

  it('refuses an unknown name with the names it knows, in every mode', () => {
    for (const env of [PRODUCTION, { NODE_ENV: 'test' }]) {
      const config = readOrderConfig({ ...env, PAYMENT_PROVIDER: 'stripe' });
      expect(() => createOrderSubgraph(config)).toThrow(ConfigError);
      expect(() => createOrderSubgraph(config)).toThrow(
        'PAYMENT_PROVIDER "stripe" is not a payment provider of this build; known: simulated',
      );
      expect(() => createOrderSubgraph(config, { paymentProviders: { acme } })).toThrow('known: simulated, acme');
    }
    // A name that only looks like one of an object's own properties is not a provider either.
    expect(() => selectPaymentProvider('constructor')).toThrow(/not a payment provider/);
    expect(() => selectPaymentProvider('Simulated')).toThrow(/not a payment provider/);
  });
});

describe('NATS credentials', () => {
  const { NATS_USER: _user, NATS_PASSWORD: _password, ...anonymous } = { ...PRODUCTION, PAYMENT_PROVIDER: 'simulated' };

  it('stop a production start when missing: an anonymous client could publish any event', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    await expect(runService('order', () => createOrderSubgraph(readOrderConfig(anonymous)))).rejects.toThrow('exit 1');
    expect(printed).toHaveBeenCalledWith(
      'order: Invalid configuration:\n  - NATS credentials are required when NODE_ENV=production: set NATS_USER and ' +
        'NATS_PASSWORD, NATS_TOKEN, NATS_CREDS_FILE, NATS_NKEY_SEED_FILE, or NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE',
    );
  });

  it('are what the service connects with', () => {
    const config = readOrderConfig({ ...PRODUCTION, PAYMENT_PROVIDER: 'simulated' });
    expect(config.natsAuth).toEqual({ user: 'order', password: PRODUCTION.NATS_PASSWORD });
  });
});

describe('placeOrder back-pressure settings', () => {
  it('default to 8 at once, 256 waiting up to 500 ms, and 5000 PENDING orders; each may be set', () => {
    expect(readOrderConfig({}).admission).toEqual({
      maxConcurrent: 8,
      maxQueued: 256,
      maxWaitMs: 500,
      maxPending: 5000,
    });
    const config = readOrderConfig({
      ORDER_PLACE_MAX_CONCURRENT: '2',
      ORDER_PLACE_MAX_QUEUED: '0',
      ORDER_PLACE_MAX_WAIT_MS: '50',
      ORDER_MAX_PENDING: '0',
    });
    expect(config.admission).toEqual({ maxConcurrent: 2, maxQueued: 0, maxWaitMs: 50, maxPending: 0 });
  });

  it('refuse a value out of range, naming it', () => {
    expect(() => readOrderConfig({ ORDER_PLACE_MAX_CONCURRENT: '0' })).toThrow(ConfigError);
    expect(() => readOrderConfig({ ORDER_MAX_PENDING: '-1' })).toThrow('ORDER_MAX_PENDING');
  });
});
