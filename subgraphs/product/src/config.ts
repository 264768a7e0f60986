import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import { readSubgraphConfig, type SubgraphConfig } from '@commerce-supergraph/shared/service-config';

export interface ProductConfig extends SubgraphConfig {
  /** Whether an empty catalog gets the demo products at start-up: on outside production by default. */
  seedDemoCatalog: boolean;
}

export function readProductConfig(env: Env = process.env): ProductConfig {
  const reader = new ConfigReader(env);
  const common = readSubgraphConfig(reader, { prefix: 'PRODUCT', port: 4003, dbName: 'product_db' }, env);
  const config: ProductConfig = {
    ...common,
    seedDemoCatalog: reader.bool('PRODUCT_SEED_DEMO_CATALOG', { default: !common.production }),
  };
  reader.done();
  return config;
}
