import { runMigrations } from '@commerce-supergraph/shared/db/migrate';
import { readProductConfig as readConfig } from './config.js';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';

// The Kubernetes migration Job's command (deploy/kubernetes/base/product.yaml): migrate, then exit.
await runMigrations('product', { entities, migrations }, () => readConfig());
