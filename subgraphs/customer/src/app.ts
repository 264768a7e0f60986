import { createTokenSigner } from '@commerce-supergraph/shared/auth/jwt';
import {
  createSubgraphService,
  type SubgraphOptions,
  type SubgraphService,
} from '@commerce-supergraph/shared/graphql/subgraph-service';
import type { CustomerConfig } from './config.js';
import type { CustomerContext } from './context.js';
import { ensureAdmin } from './domain/admin.js';
import { NationalIdCipher, sealStoredNationalIds } from './domain/national-id.js';
import { NotificationDispatcher, type NotificationDispatcherOptions } from './domain/notification-dispatcher.js';
import { type PasswordFunctions, PasswordHashing } from './domain/password-hashing.js';
import type { PasswordResetSettings } from './domain/password-reset.js';
import type { AccountGuards } from './domain/registration.js';
import { Throttle } from './domain/throttle.js';
import { entities } from './entities/index.js';
import { CUSTOMER_STREAM, SOURCE } from './events/contracts/published.js';
import { eventHandlers } from './events/handlers/index.js';
import { migrations } from './migrations/index.js';
import { LoggingNotifier, type Notifier } from './ports/notifier.js';
import { createSchema } from './schema/index.js';
import { createLoaders } from './schema/loaders.js';

export interface CustomerSubgraphOptions extends SubgraphOptions {
  /** Where notifications are sent; logged by default, until a mail transport is plugged in. */
  notifier?: Notifier;
  /** The argon2id functions behind the hashing bound; tests count or slow them down. */
  passwordFunctions?: PasswordFunctions;
  /** The dispatcher's pace, e.g. a faster sweep and retry in tests. */
  notifications?: Omit<NotificationDispatcherOptions, 'log'>;
}

export function createCustomerSubgraph(config: CustomerConfig, options: CustomerSubgraphOptions = {}): SubgraphService {
  const nationalIds = new NationalIdCipher(config.nationalIdKeys);
  const guards: AccountGuards = {
    throttle: new Throttle(config.throttle),
    passwords: new PasswordHashing(config.passwordHashing, options.passwordFunctions),
    nationalIds,
  };
  const signer = createTokenSigner({ ...config.jwt, signingKey: config.signingKey });
  // Set once the logger is known (prepare): the notifier logs, and the reset settings need both.
  let passwordReset: PasswordResetSettings | undefined;
  return createSubgraphService<CustomerContext>(
    {
      name: SOURCE,
      entities,
      migrations,
      streams: [CUSTOMER_STREAM],
      createSchema,
      eventHandlers: () => eventHandlers(),
      async prepare({ orm, log }) {
        log.info({ jwtKeyId: signer.kid }, 'signing tokens');
        await ensureAdmin(orm.em.fork(), config.admin, log);
        // Before the first request: what the encryption migration left in plaintext, or a rotated key left behind.
        await sealStoredNationalIds(orm.em.fork(), nationalIds, log);
        // Notifications are stored by the handlers and sent from here, after their commit.
        const notifier = options.notifier ?? new LoggingNotifier(log);
        passwordReset = { notifier, ttlSeconds: config.passwordResetTtlSeconds, log };
        const dispatcher = new NotificationDispatcher(orm, notifier, { ...options.notifications, log });
        dispatcher.start();
        return () => dispatcher.stop();
      },
      createContext: (base, em, runtime) => ({
        ...base,
        em,
        loaders: createLoaders(em),
        signer,
        guards,
        passwordReset: passwordReset as PasswordResetSettings,
        revocations: runtime.revocations,
      }),
    },
    config,
    options,
  );
}
