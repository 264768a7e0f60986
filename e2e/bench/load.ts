import autocannon from 'autocannon';
import { cpuMs } from './processes.ts';

export interface Scenario {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** One token a request, in turn (each customer its own); none: anonymous. */
  tokens?: string[];
}

export interface Target {
  name: string;
  url: string;
  /** The gateway's process (its workers are counted with it). */
  pid: number;
}

export interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  gatewayCpuMsPerRequest: number;
  subgraphCpuMsPerRequest: number;
  /** The same, subgraph by subgraph: where a change moved the cost. */
  subgraphCpuMsPerRequestBy: Record<string, number>;
  failures: number;
}

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  subgraphs: { name: string; pid: number }[];
}

/** Sends one request as the load does and fails unless it is answered with data and no error. */
export async function check(target: Target, scenario: Scenario): Promise<void> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authorization(scenario.tokens?.[0]) },
    body: JSON.stringify({ query: scenario.query, variables: scenario.variables ?? {} }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (!response.ok || body.errors || !body.data) {
    throw new Error(`${target.name} ${scenario.name}: ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
  }
}

/**
 * Once the services are idle, a warm-up (connections, query plans, JIT), then the measured run with
 * autocannon. CPU is read from /proc around the measured run only, for the gateway and for each
 * subgraph.
 */
export async function measure(target: Target, scenario: Scenario, settings: LoadSettings): Promise<Measurement> {
  await settle([target.pid, ...settings.subgraphs.map(({ pid }) => pid)]);
  if (settings.warmupSeconds > 0) await run(target, scenario, settings.connections, settings.warmupSeconds);
  const gatewayBefore = cpuMs(target.pid);
  const subgraphsBefore = settings.subgraphs.map(({ pid }) => cpuMs(pid));
  const result = await run(target, scenario, settings.connections, settings.durationSeconds);
  const gatewayMs = cpuMs(target.pid) - gatewayBefore;
  const subgraphMs = settings.subgraphs.map(({ pid }, i) => cpuMs(pid) - (subgraphsBefore[i] as number));
  const subgraphsMs = subgraphMs.reduce((sum, ms) => sum + ms, 0);
  const answered = result['2xx'];
  const perRequest = (ms: number) => ms / Math.max(answered, 1);
  return {
    requestsPerSecond: answered / settings.durationSeconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    gatewayCpuMsPerRequest: perRequest(gatewayMs),
    subgraphCpuMsPerRequest: perRequest(subgraphsMs),
    subgraphCpuMsPerRequestBy: Object.fromEntries(
      settings.subgraphs.map(({ name }, i) => [name, perRequest(subgraphMs[i] as number)]),
    ),
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** Load that is not measured: every service's hot paths compiled (JIT) before the measurements start. */
export async function prewarm(target: Target, scenario: Scenario, connections: number, seconds: number): Promise<void> {
  if (seconds > 0) await run(target, scenario, connections, seconds);
}

/** Below this share of one core, the services are taken to be idle. */
const QUIET_SHARE = 0.05;
const QUIET_WAIT_MS = 30_000;

/**
 * Waits until the services use next to no CPU: whatever the data setup or the previous run left
 * them doing (saga events, notifications) would otherwise be charged to the next measurement, and
 * the side that runs first would pay for it.
 */
async function settle(pids: number[]): Promise<void> {
  const total = () => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const started = Date.now();
  let before = total();
  while (Date.now() - started < QUIET_WAIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = total();
    if (now - before < 500 * QUIET_SHARE) return;
    before = now;
  }
  console.log(`  (the services were still busy after ${QUIET_WAIT_MS / 1000} s; measuring anyway)`);
}

function run(target: Target, scenario: Scenario, connections: number, seconds: number): Promise<autocannon.Result> {
  const body = JSON.stringify({ query: scenario.query, variables: scenario.variables ?? {} });
  const tokens = scenario.tokens ?? [];
  let next = 0;
  return autocannon({
    url: target.url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        setupRequest: (request) => {
          if (tokens.length === 0) return request;
          const token = tokens[next++ % tokens.length];
          return { ...request, headers: { ...request.headers, ...authorization(token) } };
        },
      },
    ],
  });
}

const authorization = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

export function table(rows: { label: string; m: Measurement }[]): string {
  const lines = [
    '| | req/s | p50 ms | p99 ms | gateway CPU ms/req | subgraphs CPU ms/req | failures |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const { label, m } of rows) {
    lines.push(
      `| ${label} | ${m.requestsPerSecond.toFixed(0)} | ${m.p50} | ${m.p99} | ${m.gatewayCpuMsPerRequest.toFixed(2)} | ${m.subgraphCpuMsPerRequest.toFixed(2)} | ${m.failures} |`,
    );
  }
  lines.push('', 'subgraphs CPU ms/req, one by one:');
  for (const { label, m } of rows) {
    const by = Object.entries(m.subgraphCpuMsPerRequestBy).map(([name, ms]) => `${name} ${ms.toFixed(2)}`);
    lines.push(`- ${label}: ${by.join(', ')}`);
  }
  return lines.join('\n');
}

export function ratios(ours: Measurement, stock: Measurement): string {
  const r = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(2));
  return (
    `ours/stock: req/s ${r(ours.requestsPerSecond, stock.requestsPerSecond)}x, ` +
    `gateway CPU/req ${r(ours.gatewayCpuMsPerRequest, stock.gatewayCpuMsPerRequest)}x, ` +
    `subgraphs CPU/req ${r(ours.subgraphCpuMsPerRequest, stock.subgraphCpuMsPerRequest)}x`
  );
}
