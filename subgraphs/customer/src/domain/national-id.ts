import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { Logger } from '@commerce-supergraph/shared/logging';
import type { EntityManager } from '@mikro-orm/postgresql';

/** The keys from configuration: `current` seals, every one of them opens. 32 bytes each (AES-256). */
export interface NationalIdKeys {
  current: Buffer;
  previous: Buffer[];
}

/**
 * A national id as `customers.national_id` (jsonb) holds it: AES-256-GCM under the key `keyId`
 * names, bound to the customer's id (additional authenticated data), so a value copied to another
 * row does not open. Binary parts in base64.
 */
export interface SealedNationalId {
  v: 1;
  keyId: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/**
 * What the encryption migration made of a value stored in plaintext before it; the start-up step
 * (`sealStoredNationalIds`) seals it before the subgraph serves its first request.
 */
export interface UnsealedNationalId {
  plaintext: string;
}

export type StoredNationalId = SealedNationalId | UnsealedNationalId;

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const KEY_BYTES = 32;

/** A key's id, stored with each value it seals: a fingerprint of the key, so ids never clash and need no setting. */
export const keyIdOf = (key: Buffer): string =>
  createHash('sha256').update('national-id-key:').update(key).digest('hex').slice(0, 16);

const aad = (customerId: string): Buffer => Buffer.from(`customers.national_id:${customerId}`, 'utf8');

/**
 * Encrypts national ids at rest. The key rotates: configure the new one as the current key and keep
 * the old one among the previous keys until the start-up step has re-sealed every value with the new one.
 */
export class NationalIdCipher {
  readonly currentKeyId: string;
  private readonly current: Buffer;
  private readonly keys: Map<string, Buffer>;

  constructor(keys: NationalIdKeys) {
    for (const key of [keys.current, ...keys.previous]) {
      if (key.length !== KEY_BYTES) throw new Error(`A national id key must be ${KEY_BYTES} bytes`);
    }
    this.current = keys.current;
    this.currentKeyId = keyIdOf(keys.current);
    this.keys = new Map([...keys.previous, keys.current].map((key) => [keyIdOf(key), key]));
  }

  seal(customerId: string, nationalId: string): SealedNationalId {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current, iv);
    cipher.setAAD(aad(customerId));
    const ciphertext = Buffer.concat([cipher.update(nationalId, 'utf8'), cipher.final()]);
    return {
      v: 1,
      keyId: this.currentKeyId,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  /** The national id; throws when its key is not configured or the value was tampered with. */
  open(customerId: string, stored: StoredNationalId): string {
    if ('plaintext' in stored) return stored.plaintext;
    const key = this.keys.get(stored.keyId);
    if (!key) throw new Error(`national id sealed with key ${stored.keyId}, which is not configured`);
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(stored.iv, 'base64'));
    decipher.setAAD(aad(customerId));
    decipher.setAuthTag(Buffer.from(stored.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(stored.ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }
}

const BATCH = 500;

/**
 * Start-up step: seals every national id the migration left in plaintext, and re-seals every one
 * sealed with a previous key, with the current key. Idempotent, in batches of its own transaction;
 * several instances starting at once share the work (SKIP LOCKED). A value whose key is not
 * configured any more is left as it is and logged: it cannot be opened, and refusing to start would
 * not bring the key back. Returns how many values it sealed.
 */
export async function sealStoredNationalIds(em: EntityManager, cipher: NationalIdCipher, log: Logger): Promise<number> {
  let sealed = 0;
  let unreadable = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await unitOfWork(em.fork(), async (tx) => {
      const batch: { id: string; national_id: StoredNationalId }[] = await tx.execute(
        `select id, national_id from customers
          where id > ? and jsonb_typeof(national_id) = 'object'
            and (national_id ->> 'plaintext' is not null or national_id ->> 'keyId' is distinct from ?)
          order by id limit ? for update skip locked`,
        [after, cipher.currentKeyId, BATCH],
      );
      for (const row of batch) {
        let nationalId: string;
        try {
          nationalId = cipher.open(row.id, row.national_id);
        } catch (error) {
          unreadable += 1;
          log.error({ err: error, customerId: row.id }, 'national id cannot be opened; left as it is');
          continue;
        }
        await tx.execute('update customers set national_id = ?::jsonb where id = ?', [
          JSON.stringify(cipher.seal(row.id, nationalId)),
          row.id,
        ]);
        sealed += 1;
      }
      return batch;
    });
    if (rows.length < BATCH) break;
    after = (rows.at(-1) as { id: string }).id;
  }
  if (sealed > 0)
    log.info({ customers: sealed, keyId: cipher.currentKeyId }, 'national ids sealed with the current key');
  if (unreadable > 0) log.error({ customers: unreadable }, 'national ids sealed with a key that is not configured');
  return sealed;
}
