import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import { type CommonConfig, readCommonConfig } from '@commerce-supergraph/shared/service-config';

export interface ProductConfig extends CommonConfig {
  port: number;
  dbName: string;
  /** Whether an empty catalog gets the demo products at start-up: on outside production by default. */
  seedDemoCatalog: boolean;
  /** Variables that fell back to development defaults (logged at start-up). */
  devDefaultsUsed: string[];
}

export function readProductConfig(env: Env = process.env): ProductConfig {
  const reader = new ConfigReader(env);
  const common = readCommonConfig(reader, env);
  const config: ProductConfig = {
    ...common,
    port: reader.int('PRODUCT_PORT', { default: 4003, min: 0, max: 65_535 }),
    dbName: reader.string('PRODUCT_DB_NAME', { default: 'product_db' }),
    seedDemoCatalog: reader.bool('PRODUCT_SEED_DEMO_CATALOG', { default: !common.production }),
    devDefaultsUsed: reader.devDefaultsUsed,
  };
  reader.done();
  return config;
}
