import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import { type CommonConfig, readCommonConfig } from '@commerce-supergraph/shared/service-config';

export interface CreditStatusConfig extends CommonConfig {
  port: number;
  dbName: string;
  /** Variables that fell back to development defaults (logged at start-up). */
  devDefaultsUsed: string[];
}

export function readCreditStatusConfig(env: Env = process.env): CreditStatusConfig {
  const reader = new ConfigReader(env);
  const config: CreditStatusConfig = {
    ...readCommonConfig(reader, env),
    port: reader.int('CREDIT_STATUS_PORT', { default: 4004, min: 0, max: 65_535 }),
    dbName: reader.string('CREDIT_STATUS_DB_NAME', { default: 'credit_db' }),
    devDefaultsUsed: reader.devDefaultsUsed,
  };
  reader.done();
  return config;
}
