import { createHash } from 'node:crypto';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface LoginLimits {
  /** Failed logins allowed per email inside the window before logins for it are refused. */
  maxPerEmail: number;
  /** Failed logins allowed per client address inside the window (one client trying many emails). */
  maxPerClient: number;
  windowSeconds: number;
}

export interface RegistrationLimits {
  /** Registrations (successful or not, once past validation) allowed per client address inside the window. */
  maxPerClient: number;
  windowSeconds: number;
}

export interface ThrottleSettings {
  login: LoginLimits;
  registration: RegistrationLimits;
}

/** The attempt rows one reservation added, so that its outcome can give them back. */
export interface Reservation {
  ids: string[];
}

interface Limit {
  key: string;
  max: number;
}

/**
 * The email's SHA-256, not the address: the attempts against an address (even after its account was
 * deleted, or for one never registered) must not keep the address itself.
 */
export const emailKey = (email: string): string => `email:${createHash('sha256').update(email).digest('hex')}`;
const clientKey = (address: string): string => `client:${address}`;
const registrationKey = (address: string): string => `register:${address}`;

/** The first number of every throttle advisory lock: no other lock of this database uses it. */
const LOCK_NAMESPACE = 0x7468_726f;

/**
 * Attempt limits per email and per client address, kept in `throttle_attempts`.
 *
 * An attempt reserves its slot before any password is hashed or checked: in one transaction it locks
 * each of its keys (a PostgreSQL advisory lock per key), counts the attempts inside the window and,
 * only when every key is under its limit, inserts one row per key. (A key found at its limit before
 * locking is refused at once.) Concurrent attempts on a key wait
 * for each other's insert, so 200 simultaneous logins for one email evaluate at most the limit's
 * number of passwords; the rest are refused before the password is looked at, which also tells a
 * throttled caller nothing about the password or whether the account exists.
 *
 * A reserved login counts as a failure until it is known to have succeeded (`loginSucceeded`); an
 * attempt that was not evaluated at all (the service was busy) is given back (`release`).
 */
export class Throttle {
  constructor(private readonly settings: ThrottleSettings) {}

  /** A slot for one login of this email from this client, or undefined when either is at its limit. */
  reserveLogin(em: EntityManager, email: string, client: string, now = new Date()): Promise<Reservation | undefined> {
    const { maxPerEmail, maxPerClient, windowSeconds } = this.settings.login;
    const limits = [
      { key: emailKey(email), max: maxPerEmail },
      { key: clientKey(client), max: maxPerClient },
    ];
    return reserve(em, limits, windowSeconds, now);
  }

  /** A slot for one registration from this client, or undefined when it is at its limit. */
  reserveRegistration(em: EntityManager, client: string, now = new Date()): Promise<Reservation | undefined> {
    const { maxPerClient, windowSeconds } = this.settings.registration;
    return reserve(em, [{ key: registrationKey(client), max: maxPerClient }], windowSeconds, now);
  }

  /**
   * A successful login clears the email's failures and gives back its own client slot; the client's
   * other failures stay, it may be probing other emails.
   */
  async loginSucceeded(em: EntityManager, email: string, reservation: Reservation): Promise<void> {
    await em.execute(`delete from throttle_attempts where key = ? or id in (${placeholders(reservation.ids)})`, [
      emailKey(email),
      ...reservation.ids,
    ]);
  }

  /** An attempt that was refused before it was evaluated does not count. */
  async release(em: EntityManager, reservation: Reservation): Promise<void> {
    await em.execute(`delete from throttle_attempts where id in (${placeholders(reservation.ids)})`, reservation.ids);
  }
}

async function reserve(
  em: EntityManager,
  limits: Limit[],
  windowSeconds: number,
  now: Date,
): Promise<Reservation | undefined> {
  const since = new Date(now.getTime() - windowSeconds * 1000);
  const keys = limits.map((limit) => limit.key);
  const atLimit = async (tx: EntityManager): Promise<boolean> => {
    const counts: { key: string; attempts: number }[] = await tx.execute(
      `select key, count(*)::int as attempts from throttle_attempts
        where key in (${placeholders(keys)}) and attempted_at > ? group by key`,
      [...keys, since],
    );
    const attempts = (key: string) => counts.find((row) => row.key === key)?.attempts ?? 0;
    return limits.some((limit) => attempts(limit.key) >= limit.max);
  };
  return unitOfWork(em, async (tx) => {
    // A key already at its limit is refused without waiting for its lock: a flood stays cheap.
    if (await atLimit(tx)) return undefined;
    // Taken in ascending order, so two reservations sharing keys never wait for each other in a cycle.
    const locks = [...new Set(keys.map(lockOf))].sort((a, b) => a - b);
    for (const lock of locks) await tx.execute('select pg_advisory_xact_lock(?, ?)', [LOCK_NAMESPACE, lock]);
    // Attempts from before the window can never count again.
    await tx.execute(`delete from throttle_attempts where key in (${placeholders(keys)}) and attempted_at <= ?`, [
      ...keys,
      since,
    ]);
    // Counted again under the locks: this count decides.
    if (await atLimit(tx)) return undefined;
    const inserted: { id: string | number }[] = await tx.execute(
      `insert into throttle_attempts (key, attempted_at) values ${keys.map(() => '(?, ?)').join(', ')} returning id`,
      keys.flatMap((key) => [key, now]),
    );
    return { ids: inserted.map((row) => String(row.id)) };
  });
}

/** A key's lock: 32 bits of its SHA-256, so the lock order above is the same in every instance. */
const lockOf = (key: string): number => createHash('sha256').update(key).digest().readInt32BE(0);

const placeholders = (values: unknown[]): string => values.map(() => '?').join(', ');
