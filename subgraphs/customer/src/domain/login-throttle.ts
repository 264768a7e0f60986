import type { EntityManager } from '@mikro-orm/postgresql';
import { LoginFailure } from '../entities/index.js';

export interface ThrottleSettings {
  /** Failures allowed per email inside the window before logins for it are refused. */
  maxPerEmail: number;
  /** Failures allowed per client address inside the window (one client trying many emails). */
  maxPerClient: number;
  windowSeconds: number;
}

const emailKey = (email: string): string => `email:${email}`;
const clientKey = (address: string): string => `client:${address}`;

/**
 * Failed-login rate limiting per email and per client address. It is checked before the password,
 * so a throttled caller learns nothing about the password or whether the account exists.
 */
export class LoginThrottle {
  constructor(private readonly settings: ThrottleSettings) {}

  async isBlocked(em: EntityManager, email: string, client: string, now = new Date()): Promise<boolean> {
    const since = new Date(now.getTime() - this.settings.windowSeconds * 1000);
    const rows: { key: string; failures: string }[] = await em.execute(
      `select key, count(*) as failures from login_failures
        where key in (?, ?) and attempted_at > ? group by key`,
      [emailKey(email), clientKey(client), since],
    );
    const count = (key: string) => Number(rows.find((row) => row.key === key)?.failures ?? 0);
    return (
      count(emailKey(email)) >= this.settings.maxPerEmail || count(clientKey(client)) >= this.settings.maxPerClient
    );
  }

  /** Also forgets these keys' failures from before the window: they can never count again. */
  async recordFailure(em: EntityManager, email: string, client: string, now = new Date()): Promise<void> {
    const keys = [emailKey(email), clientKey(client)];
    const before = new Date(now.getTime() - this.settings.windowSeconds * 1000);
    await em.nativeDelete(LoginFailure, { key: { $in: keys }, attemptedAt: { $lt: before } });
    for (const key of keys) em.create(LoginFailure, { key, attemptedAt: now });
    await em.flush();
  }

  /** A successful login clears the email's failures; the client's stay, they may be probing others. */
  async recordSuccess(em: EntityManager, email: string): Promise<void> {
    await em.nativeDelete(LoginFailure, { key: emailKey(email) });
  }
}
