import { newSeed } from './random.ts';

/** The suite's knobs, all from FAULT_* variables (docs/operations.md, Fault suite). */
export interface FaultConfig {
  seed: number;
  /** Orders placed, one retrying client each. */
  orders: number;
  /** New clients per second. */
  rate: number;
  customers: number;
  products: number;
  /** Share of orders whose client pays once the order is CONFIRMED. */
  payShare: number;
  /** Each fault kind this many times. */
  rounds: number;
  /** Every order settled this long after the last service is ready again. */
  settleMs: number;
  /** How long past that deadline late orders are still watched, to show how late they are. */
  observeMs: number;
  /** Downstream effects (sales, credit, notifications, consumers idle) must have arrived this long after the clients are done. */
  effectsMs: number;
  /** /ready must answer within this. */
  readyBudgetMs: number;
  readyPollMs: number;
  /** A service not ready this long after PostgreSQL and NATS are back is wedged. */
  wedgeMs: number;
  /** One client request without an answer this long is abandoned (and retried). */
  requestTimeoutMs: number;
  /** A client gives up this long after it started. */
  clientDeadlineMs: number;
  /** Where to copy the services' logs and diagnostic reports (kept); none when unset. */
  artifacts: string | undefined;
  logLevel: string;
  /** NODE_ENV of every service: production by default (masked errors, no introspection, no demo data). */
  nodeEnv: string;
}

export function readFaultConfig(env: NodeJS.ProcessEnv = process.env): FaultConfig {
  const problems: string[] = [];
  const number = (name: string, fallback: number, min: number, max: number, integer = true): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      problems.push(`${name} must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const config: FaultConfig = {
    seed: number('FAULT_SEED', newSeed(), 0, 2 ** 32 - 1),
    orders: number('FAULT_ORDERS', 400, 1, 100_000),
    rate: number('FAULT_RATE', 40, 0.1, 1000, false),
    customers: number('FAULT_CUSTOMERS', 20, 1, 1000),
    products: number('FAULT_PRODUCTS', 6, 1, 50),
    payShare: number('FAULT_PAY_SHARE', 0.5, 0, 1, false),
    rounds: number('FAULT_ROUNDS', 1, 0, 20),
    settleMs: number('FAULT_SETTLE_MS', 10_000, 100, 600_000),
    observeMs: number('FAULT_OBSERVE_MS', 35_000, 0, 600_000),
    effectsMs: number('FAULT_EFFECTS_MS', 30_000, 100, 600_000),
    readyBudgetMs: number('FAULT_READY_BUDGET_MS', 2000, 10, 60_000),
    readyPollMs: number('FAULT_READY_POLL_MS', 250, 10, 10_000),
    wedgeMs: number('FAULT_WEDGE_MS', 30_000, 1000, 600_000),
    requestTimeoutMs: number('FAULT_REQUEST_TIMEOUT_MS', 10_000, 100, 600_000),
    clientDeadlineMs: number('FAULT_CLIENT_DEADLINE_MS', 150_000, 1000, 3_600_000),
    artifacts: env.FAULT_ARTIFACTS || undefined,
    logLevel: env.FAULT_LOG_LEVEL || 'info',
    nodeEnv: env.FAULT_NODE_ENV || 'production',
  };
  if (problems.length > 0) throw new Error(`Invalid fault suite configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
