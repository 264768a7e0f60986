import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import { readSubgraphConfig, type SubgraphConfig } from '@commerce-supergraph/shared/service-config';

export type CreditStatusConfig = SubgraphConfig;

export function readCreditStatusConfig(env: Env = process.env): CreditStatusConfig {
  const reader = new ConfigReader(env);
  const config = readSubgraphConfig(reader, { prefix: 'CREDIT_STATUS', port: 4004, dbName: 'credit_db' }, env);
  reader.done();
  return config;
}
