import { createHash, randomBytes } from 'node:crypto';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused } from '@commerce-supergraph/shared/graphql/payloads';
import type { Logger } from '@commerce-supergraph/shared/logging';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Customer, PasswordReset } from '../entities/index.js';
import type { Notifier } from '../ports/notifier.js';
import type { AccountGuards } from './registration.js';
import { type PasswordChanged, setPassword } from './sessions.js';
import { normaliseEmail, validatePassword } from './validation.js';

/** What a reset needs besides the database: where the token goes, and how long it works. */
export interface PasswordResetSettings {
  notifier: Notifier;
  ttlSeconds: number;
  log: Logger;
}

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Sends a one-time reset token to the account's address, through the notification port. The caller
 * learns nothing either way: an unknown email gets the same (empty) answer, and no message. The
 * token is sent directly, never stored as a notification, so a session cannot read it back.
 */
export async function requestPasswordReset(
  em: EntityManager,
  settings: PasswordResetSettings,
  rawEmail: string,
  now: Date,
): Promise<void> {
  const email = normaliseEmail(rawEmail);
  const customer = email === '' ? null : await em.findOne(Customer, { email });
  if (!customer) return;
  const token = randomBytes(32).toString('base64url');
  const reset = await unitOfWork(em, async (tx) =>
    tx.create(PasswordReset, {
      customerId: customer.id,
      tokenHash: hashOf(token),
      expiresAt: new Date(now.getTime() + settings.ttlSeconds * 1000),
    }),
  );
  const minutes = Math.ceil(settings.ttlSeconds / 60);
  try {
    await settings.notifier.send({
      notificationId: reset.id,
      customerId: customer.id,
      to: customer.email,
      subject: 'Reset your password',
      body: `Use this code to choose a new password within ${minutes} minutes: ${token}\nIf you did not ask for it, ignore this message.`,
    });
  } catch (error) {
    // The answer stays the same (it must not tell the account exists); the customer may ask again.
    settings.log.error({ err: error, customerId: customer.id }, 'password reset message not sent');
  }
}

const invalidToken = () => userError(['token'], 'INVALID', 'This reset code is invalid, used or expired');

/**
 * Sets a new password with a reset token: single use (the conditional update spends it, so two
 * racing resets cannot both pass), void once expired. Every other outstanding token of the account
 * is spent with it, and every session revoked, as a password change does.
 */
export async function resetPassword(
  em: EntityManager,
  guards: AccountGuards,
  token: string,
  newPassword: string,
  cause: Cause,
  now: Date,
): Promise<Result<PasswordChanged>> {
  const errors = validatePassword(newPassword, ['newPassword']);
  if (errors.length > 0) return refused(errors);
  const tokenHash = hashOf(token);
  const usable = { tokenHash, usedAt: null, expiresAt: { $gt: now } };
  // Cheap check first: no password hashing for a code that cannot work.
  if (!(await em.count(PasswordReset, usable))) return refused([invalidToken()]);
  return unitOfWork(em, async (tx) => {
    const [spent] = await tx.execute<{ customer_id: string }[]>(
      'update password_resets set used_at = ? where token_hash = ? and used_at is null and expires_at > ? returning customer_id',
      [now, tokenHash, now],
    );
    if (!spent) return refused([invalidToken()]);
    await tx.nativeUpdate(PasswordReset, { customerId: spent.customer_id, usedAt: null }, { usedAt: now });
    return setPassword(tx, guards, spent.customer_id, newPassword, cause, now);
  });
}
