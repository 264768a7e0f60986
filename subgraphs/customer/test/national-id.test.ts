import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, NationalIdCipher, type SealedNationalId } from '../src/domain/national-id.js';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);

describe('national id encryption', () => {
  it('seals with AES-256-GCM under the current key, naming the key, and opens again', () => {
    const cipher = new NationalIdCipher({ current: oldKey, previous: [] });
    const customerId = randomUUID();
    const sealed = cipher.seal(customerId, 'AB123456C');
    expect(sealed).toMatchObject({ v: 1, keyId: keyIdOf(oldKey) });
    expect(JSON.stringify(sealed)).not.toContain('AB123456C');
    expect(cipher.seal(customerId, 'AB123456C').ciphertext).not.toBe(sealed.ciphertext);
    expect(cipher.open(customerId, sealed)).toBe('AB123456C');
  });

  it("refuses a value moved to another customer's row, or changed", () => {
    const cipher = new NationalIdCipher({ current: oldKey, previous: [] });
    const sealed = cipher.seal(randomUUID(), 'AB123456C');
    expect(() => cipher.open(randomUUID(), sealed)).toThrow();
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(() => cipher.open(randomUUID(), { ...sealed, ciphertext: flipped.toString('base64') })).toThrow();
  });

  it('opens values sealed with a previous key after a rotation, and only with a configured key', () => {
    const customerId = randomUUID();
    const before: SealedNationalId = new NationalIdCipher({ current: oldKey, previous: [] }).seal(customerId, 'X-1');
    const rotated = new NationalIdCipher({ current: newKey, previous: [oldKey] });
    expect(rotated.currentKeyId).toBe(keyIdOf(newKey));
    expect(rotated.open(customerId, before)).toBe('X-1');
    expect(rotated.seal(customerId, 'X-1').keyId).toBe(keyIdOf(newKey));
    const withoutOld = new NationalIdCipher({ current: newKey, previous: [] });
    expect(() => withoutOld.open(customerId, before)).toThrow(
      `sealed with key ${keyIdOf(oldKey)}, which is not configured`,
    );
  });

  it('takes only 32-byte keys', () => {
    expect(() => new NationalIdCipher({ current: randomBytes(16), previous: [] })).toThrow('32 bytes');
  });
});
