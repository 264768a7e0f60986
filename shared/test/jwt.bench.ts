import { newKeyPair } from '@commerce-supergraph/test-support/tokens';
import { importSPKI, jwtVerify } from 'jose';
import { expect, it } from 'vitest';
import { createTokenSigner, createTokenVerifier } from '../src/auth/jwt.js';
import { parsePrivateKey, parsePublicKeys } from '../src/auth/keys.js';

/**
 * What one token costs, per key type: the verifier every service runs on every request (node:crypto,
 * synchronous, with all the claim checks; its cache off, then a cached token) against jose's jwtVerify (WebCrypto, awaited one at a time,
 * as a request would), and signing. Median of BENCH_ROUNDS rounds (default 7) of BENCH_TOKENS
 * operations each (default 5000), after a warm-up.
 */
const TOKENS = Number(process.env.BENCH_TOKENS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const settings = { issuer: 'commerce-supergraph', audience: 'commerce-supergraph-api', ttlSeconds: 3600 };

interface Cost {
  /** Wall-clock time per token. */
  wall: number;
  /** CPU time of the whole process per token (threads included: WebCrypto works on the thread pool). */
  cpu: number;
}

const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Each operation awaited in turn, as one request would; a synchronous one is not awaited. */
async function cost(operation: () => unknown, synchronous: boolean): Promise<Cost> {
  const run = async () => {
    if (synchronous) for (let i = 0; i < TOKENS; i += 1) operation();
    else for (let i = 0; i < TOKENS; i += 1) await operation();
  };
  await run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = process.hrtime.bigint();
    const usage = process.cpuUsage();
    await run();
    const used = process.cpuUsage(usage);
    wall.push(Number(process.hrtime.bigint() - started) / 1000 / TOKENS);
    cpu.push((used.user + used.system) / TOKENS);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const show = ({ wall, cpu }: Cost) => `${wall.toFixed(1).padStart(6)} wall ${cpu.toFixed(1).padStart(6)} cpu`;

it('token verification and signing, microseconds per token', async () => {
  console.log(`\njwt bench (median of ${ROUNDS} rounds of ${TOKENS} tokens; microseconds per token)`);
  for (const [type, alg] of [
    ['ed25519', 'EdDSA'],
    ['p256', 'ES256'],
  ] as const) {
    const pair = newKeyPair(type);
    const signer = createTokenSigner({ ...settings, signingKey: parsePrivateKey(pair.privateKey) });
    const verifier = createTokenVerifier(
      { ...settings, publicKeys: parsePublicKeys(pair.publicKey) },
      { cacheSize: 0 },
    );
    const cached = createTokenVerifier({ ...settings, publicKeys: parsePublicKeys(pair.publicKey) });
    const token = signer.issue({ customerId: 'c1', roles: ['customer'] });
    const joseKey = await importSPKI(pair.publicKey, alg);
    const joseOptions = { algorithms: [alg], issuer: settings.issuer, audience: settings.audience };
    expect(verifier.verify(token).customerId).toBe('c1');
    expect((await jwtVerify(token, joseKey, joseOptions)).payload.sub).toBe('c1');

    const ours = await cost(() => verifier.verify(token), true);
    // The same token again and again: what a session's requests cost once its token is cached.
    const hit = await cost(() => cached.verify(token), true);
    const jose = await cost(() => jwtVerify(token, joseKey, joseOptions), false);
    const signing = await cost(() => signer.issue({ customerId: 'c1', roles: ['customer'] }), true);
    console.log(`${alg.padEnd(5)} verify, node:crypto: ${show(ours)} | verify, jose: ${show(jose)}`);
    console.log(`${alg.padEnd(5)} verify, cached:      ${show(hit)}`);
    console.log(`${alg.padEnd(5)} sign, node:crypto:   ${show(signing)}`);
  }
});
