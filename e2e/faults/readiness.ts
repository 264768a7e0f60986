import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from './clock.ts';
import type { ReadyAnswer, ServiceName, ServiceProcess } from './cluster.ts';

export interface ReadyViolation {
  service: ServiceName;
  at: number;
  generation: number;
  answer: ReadyAnswer;
}

interface ServiceFigures {
  polls: number;
  answered: number;
  maxMs: number;
  maxAt: number;
  last?: ReadyAnswer;
  /** Clock time each generation first answered 200. */
  firstReady: Map<number, number>;
}

/**
 * Polls every service's /ready throughout the run (one request at a time per service). A process
 * that is not listening (killed, still booting) is refused at once, which is fine; a live process
 * must answer, ready or not, within the budget. A request cut by a kill is not held against anyone.
 */
export class ReadinessMonitor {
  readonly violations: ReadyViolation[] = [];
  readonly figures = new Map<ServiceName, ServiceFigures>();
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly services: ServiceProcess[];
  private readonly clock: Clock;
  private readonly budgetMs: number;
  private readonly pollMs: number;
  /** How long one request may take before it counts as no answer at all. */
  private readonly capMs: number;

  constructor(services: ServiceProcess[], clock: Clock, budgetMs: number, pollMs: number, capMs: number) {
    this.services = services;
    this.clock = clock;
    this.budgetMs = budgetMs;
    this.pollMs = pollMs;
    this.capMs = capMs;
    for (const service of services)
      this.figures.set(service.name, { polls: 0, answered: 0, maxMs: 0, maxAt: 0, firstReady: new Map() });
  }

  start(): void {
    this.running = true;
    this.loops = this.services.map((service) => this.poll(service));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async poll(service: ServiceProcess): Promise<void> {
    const figures = this.figures.get(service.name) as ServiceFigures;
    while (this.running) {
      const generation = service.generation;
      const at = this.clock.now();
      const answer = await service.ready(this.capMs);
      // A broken connection may be the process dying: give its exit a moment to be seen.
      if (answer.outcome === 'reset' || answer.outcome === 'timeout') await sleep(300);
      // How long the process was left alone while the request waited: a kill or an exit cuts it short.
      const ended =
        service.generation === generation ? service.endedAt(generation) : (service.endedAt(generation) ?? at);
      const unanswered = ended === undefined ? answer.ms : Math.min(answer.ms, Math.max(0, ended - at));
      figures.polls += 1;
      if (answer.outcome === 'ready' || answer.outcome === 'not-ready') {
        figures.answered += 1;
        figures.last = answer;
        if (answer.ms > figures.maxMs) {
          figures.maxMs = answer.ms;
          figures.maxAt = at;
        }
        if (answer.outcome === 'ready' && !figures.firstReady.has(generation)) figures.firstReady.set(generation, at);
        if (answer.ms > this.budgetMs) this.violations.push({ service: service.name, at, generation, answer });
      } else if (
        (answer.outcome === 'timeout' || answer.outcome === 'reset') &&
        (ended === undefined || unanswered > this.budgetMs)
      ) {
        // A live process took the connection and did not answer in time (or dropped it).
        const note =
          ended === undefined
            ? answer
            : {
                ...answer,
                error: `${answer.error ?? ''}; unanswered for ${Math.round(unanswered)} ms before the process was killed or exited`,
              };
        figures.last = note;
        if (unanswered > figures.maxMs) {
          figures.maxMs = Math.round(unanswered);
          figures.maxAt = at;
        }
        this.violations.push({ service: service.name, at, generation, answer: note });
      } else if (answer.outcome !== 'refused') {
        figures.last = answer;
      }
      await sleep(this.pollMs);
    }
  }
}

export interface Wedge {
  service: ServiceName;
  at: number;
  generation: number;
  pid: number | undefined;
  facts: string[];
}

/**
 * Waits until every service answers /ready 200 in one round. A service that is not ready
 * `wedgeMs` after PostgreSQL and NATS are both up again (and after `since`) is wedged: `diagnose`
 * records why, then it is killed and started again once, so the rest of the run can still be
 * checked. Wedged again after that, it is left as it is and the wait ends (`notReady`).
 */
export async function awaitAllReady(options: {
  services: ServiceProcess[];
  clock: Clock;
  since: number;
  infraUpSince: () => number | undefined;
  wedgeMs: number;
  diagnose: (service: ServiceProcess, last: ReadyAnswer) => Promise<Wedge>;
  onWedge: (wedge: Wedge) => void;
  giveUpAfterMs: number;
}): Promise<{ readyAt: number; notReady: ServiceName[] }> {
  const { services, clock, wedgeMs } = options;
  const rescued = new Map<ServiceName, number>();
  const started = clock.now();
  let subgraphsReadySince: number | undefined;
  for (;;) {
    const answers = await Promise.all(services.map((service) => service.ready(2000)));
    const notReady = services.filter((_, i) => answers[i]?.outcome !== 'ready').map((s) => s.name);
    if (notReady.length === 0) return { readyAt: clock.now(), notReady };
    if (clock.now() - started > options.giveUpAfterMs) return { readyAt: clock.now(), notReady };
    const infraUp = options.infraUpSince();
    if (infraUp !== undefined) {
      const subgraphsReady = services.every((s, i) => s.name === 'gateway' || answers[i]?.outcome === 'ready');
      subgraphsReadySince = subgraphsReady ? (subgraphsReadySince ?? clock.now()) : undefined;
      for (const [i, service] of services.entries()) {
        const answer = answers[i] as ReadyAnswer;
        if (answer.outcome === 'ready') continue;
        // The gateway is only as ready as its subgraphs: it is judged once they all are.
        if (service.name === 'gateway' && !subgraphsReady) continue;
        const from = Math.max(
          options.since,
          infraUp,
          rescued.get(service.name) ?? 0,
          service.name === 'gateway' ? (subgraphsReadySince ?? 0) : 0,
        );
        if (clock.now() - from < wedgeMs) continue;
        const wedge = await options.diagnose(service, answer);
        options.onWedge(wedge);
        if (rescued.has(service.name)) {
          wedge.facts[0] = `again after the rescue, left as it is; ${wedge.facts[0]}`;
          return { readyAt: clock.now(), notReady };
        }
        await service.kill('SIGKILL');
        service.start('rescue: restarted after the suite found it wedged');
        rescued.set(service.name, clock.now());
      }
    }
    await sleep(200);
  }
}
