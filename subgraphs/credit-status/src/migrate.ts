import { runMigrations } from '@commerce-supergraph/shared/db/migrate';
import { readCreditStatusConfig as readConfig } from './config.js';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';

// The Kubernetes migration Job's command (deploy/kubernetes/base/credit-status.yaml): migrate, then exit.
await runMigrations('credit-status', { entities, migrations }, () => readConfig());
