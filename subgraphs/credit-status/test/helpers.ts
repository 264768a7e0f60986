import { ormOptions } from '@commerce-supergraph/shared/db/orm';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import {
  testTokens as sharedTestTokens,
  TEST_GATEWAY_SECRET,
  testSubgraphEnv,
} from '@commerce-supergraph/test-support/subgraph';
import { MikroORM } from '@mikro-orm/postgresql';
import { type CreditStatusConfig, readCreditStatusConfig } from '../src/config.js';
import { CreditScoreChange, CreditStatus, entities } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';

export { TEST_GATEWAY_SECRET } from '@commerce-supergraph/test-support/subgraph';

/** The streams other services own, created by the tests standing in for them. */
export const CUSTOMERS_STREAM = { name: 'CUSTOMERS', subjects: ['customers.>'] };
export const PAYMENTS_STREAM = { name: 'PAYMENTS', subjects: ['payments.>'] };

/** A credit-status subgraph configuration on a free port and a database of its own. */
export function testCreditConfig(env: Record<string, string> = {}): CreditStatusConfig {
  return readCreditStatusConfig({
    ...testSubgraphEnv('CREDIT_STATUS', 'credit'),
    ...env,
  });
}

/** Tokens as the customer subgraph would issue them (same secret, issuer and audience). */
export const testTokens = (config: CreditStatusConfig) => sharedTestTokens(config.jwt);

/** Calls the subgraph as the gateway does (with the gateway secret). */
export const callSubgraph =
  (url: () => string) =>
  (query: string, variables: Record<string, unknown> = {}, token?: string) =>
    postGraphQL(url(), query, variables, { token, gatewaySecret: TEST_GATEWAY_SECRET });

/** A look at the database from outside the subgraph: what is really stored. */
export async function inspect(config: CreditStatusConfig) {
  const orm = await MikroORM.init(
    ormOptions({ url: config.databaseUrl, dbName: config.dbName, entities, migrations, log: createLogger('t') }),
  );
  return {
    orm,
    statuses: (customerId: string) => orm.em.fork().find(CreditStatus, { customerId }),
    history: async (customerId: string) =>
      (await orm.em.fork().find(CreditScoreChange, { creditStatus: customerId }, { orderBy: { id: 'asc' } })).map(
        ({ score, delta, reason }) => ({ score, delta, reason }),
      ),
    close: () => orm.close(true),
  };
}

export const ADJUST = `mutation($input: AdjustCreditScoreInput!) {
  adjustCreditScore(input: $input) { creditStatus { score band updatedAt } userErrors { field code } } }`;

export const CREDIT_OF = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer {
  id creditStatus { score band history { score delta reason } } riskAssessment { debtToIncome rating } } } }`;
