import { runMigrations } from '@commerce-supergraph/shared/db/migrate';
import { readCustomerConfig as readConfig } from './config.js';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';

// The Kubernetes migration Job's command (deploy/kubernetes/base/customer.yaml): migrate, then exit.
await runMigrations('customer', { entities, migrations }, () => readConfig());
