import type { SigningKey } from '@commerce-supergraph/shared/auth/keys';
import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import {
  PUBLISHED_SECRETS,
  readSigningKey,
  readSubgraphConfig,
  type SubgraphConfig,
} from '@commerce-supergraph/shared/service-config';
import type { AdminAccount } from './domain/admin.js';
import type { NationalIdKeys } from './domain/national-id.js';
import type { PasswordHashingLimits } from './domain/password-hashing.js';
import type { ThrottleSettings } from './domain/throttle.js';

export interface CustomerConfig extends SubgraphConfig {
  /** The private key tokens are issued with: this subgraph is the only one that holds one. */
  signingKey: SigningKey;
  admin: AdminAccount;
  throttle: ThrottleSettings;
  passwordHashing: PasswordHashingLimits;
  nationalIdKeys: NationalIdKeys;
  /** How long a password reset token works (PASSWORD_RESET_TTL_SECONDS). */
  passwordResetTtlSeconds: number;
}

/** Development only: production must set NATIONAL_ID_KEY. */
const DEVELOPMENT_NATIONAL_ID_KEY = 'AchIPx+gv6a9ZQ+kYLQkiYJlDroGjkBGtklHt9VLnaI=';

export function readCustomerConfig(env: Env = process.env): CustomerConfig {
  const reader = new ConfigReader(env);
  const common = readSubgraphConfig(reader, { prefix: 'CUSTOMER', port: 4001, dbName: 'customer_db' }, env);
  const config: CustomerConfig = {
    ...common,
    signingKey: readSigningKey(reader, common.jwt, env),
    admin: {
      email: reader.string('ADMIN_EMAIL', { default: 'admin@example.com' }),
      // Used only when the admin account is created; a secret all the same (it opens every account).
      password: reader.secret('ADMIN_PASSWORD', {
        devDefault: 'admin-password-change-me',
        published: PUBLISHED_SECRETS,
      }),
    },
    throttle: {
      login: {
        maxPerEmail: reader.int('LOGIN_MAX_FAILURES_PER_EMAIL', { default: 5, min: 1 }),
        maxPerClient: reader.int('LOGIN_MAX_FAILURES_PER_CLIENT', { default: 50, min: 1 }),
        windowSeconds: reader.int('LOGIN_WINDOW_SECONDS', { default: 900, min: 1 }),
      },
      registration: {
        maxPerClient: reader.int('REGISTRATION_MAX_PER_CLIENT', { default: 20, min: 1 }),
        windowSeconds: reader.int('REGISTRATION_WINDOW_SECONDS', { default: 3600, min: 1 }),
      },
    },
    passwordHashing: {
      maxConcurrent: reader.int('PASSWORD_HASHING_MAX_CONCURRENT', { default: 4, min: 1, max: 256 }),
      maxQueued: reader.int('PASSWORD_HASHING_MAX_QUEUED', { default: 32, min: 0, max: 100_000 }),
      maxWaitMs: reader.int('PASSWORD_HASHING_MAX_WAIT_MS', { default: 2000, min: 1, max: 60_000 }),
    },
    nationalIdKeys: {
      current: reader.parsed('NATIONAL_ID_KEY', { devDefault: aesKey(DEVELOPMENT_NATIONAL_ID_KEY) }, (raw) => {
        if (common.production && raw === DEVELOPMENT_NATIONAL_ID_KEY) {
          throw new Error(
            'is the development value published in the repository: generate one (openssl rand -base64 32)',
          );
        }
        return aesKey(raw);
      }),
      previous: reader.parsed('NATIONAL_ID_PREVIOUS_KEYS', { default: [] }, previousKeys),
    },
    passwordResetTtlSeconds: reader.int('PASSWORD_RESET_TTL_SECONDS', { default: 1800, min: 1, max: 86_400 }),
  };
  reader.done();
  return config;
}

/** 32 bytes in standard base64 (`openssl rand -base64 32`). The value is never echoed: it is a secret. */
function aesKey(raw: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(raw)) {
    throw new Error('must be 32 bytes in base64 (44 characters, e.g. from `openssl rand -base64 32`)');
  }
  return Buffer.from(raw, 'base64');
}

/** The keys a rotation retired, still needed to open what they sealed: comma-separated, like NATIONAL_ID_KEY. */
function previousKeys(raw: string): Buffer[] {
  try {
    return raw.split(',').map((key) => aesKey(key.trim()));
  } catch {
    throw new Error('must list keys of 32 bytes in base64, separated by commas');
  }
}
