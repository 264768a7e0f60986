import { runMigrations } from '@commerce-supergraph/shared/db/migrate';
import { readOrderConfig as readConfig } from './config.js';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';

// The Kubernetes migration Job's command (deploy/kubernetes/base/order.yaml): migrate, then exit.
await runMigrations('order', { entities, migrations }, () => readConfig());
