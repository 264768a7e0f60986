import { request } from 'node:http';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

export type ReadyOutcome = 'ready' | 'not-ready' | 'refused' | 'reset' | 'timeout' | 'error';

/** One GET /ready: how it ended and how long it took. */
export interface ReadyAnswer {
  outcome: ReadyOutcome;
  status?: number;
  ms: number;
  body?: string;
  error?: string;
}

/** GET /ready with a hard cap; `ms` is how long the answer (or the failure) took. */
export function getReady(port: number, capMs: number): Promise<ReadyAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let done = false;
    const finish = (answer: Omit<ReadyAnswer, 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: elapsed() });
    };
    const req = request({ host: '127.0.0.1', port, path: '/ready', method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        finish({ outcome: res.statusCode === 200 ? 'ready' : 'not-ready', status: res.statusCode, body }),
      );
      res.on('error', (error) => finish({ outcome: 'reset', error: error.message }));
    });
    const timer = setTimeout(() => {
      finish({ outcome: 'timeout', error: `no answer in ${capMs} ms` });
      req.destroy();
    }, capMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      const outcome: ReadyOutcome =
        error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'ECONNRESET' ? 'reset' : 'error';
      finish({ outcome, error: `${error.code ?? ''} ${error.message}`.trim() });
    });
    req.end();
  });
}

/**
 * `/ready` requests timed on a thread of their own. The runner's own thread is busy (hundreds of
 * retrying clients, database polling) exactly when the services are, so a request timed there
 * also counts the moments the runner could not read an answer that had already arrived: an order
 * subgraph that answered within 2 s was measured at 2.4 s. The worker's event loop does nothing
 * but these requests, so what it measures is the service's answer alone.
 */
interface Probe {
  id: number;
  port: number;
  capMs: number;
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', (probe: Probe) => {
    void getReady(probe.port, probe.capMs).then((answer) => port.postMessage({ id: probe.id, answer }));
  });
}

export class ReadyProber {
  private readonly worker = new Worker(new URL(import.meta.url));
  private readonly pending = new Map<number, (answer: ReadyAnswer) => void>();
  private next = 0;

  constructor() {
    this.worker.on('message', ({ id, answer }: { id: number; answer: ReadyAnswer }) => {
      this.pending.get(id)?.(answer);
      this.pending.delete(id);
    });
    // The runner may exit while a probe is out; the worker never keeps it alive.
    this.worker.unref();
  }

  ready(port: number, capMs: number): Promise<ReadyAnswer> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, port, capMs } satisfies Probe);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
    for (const resolve of this.pending.values()) resolve({ outcome: 'error', ms: 0, error: 'prober closed' });
    this.pending.clear();
  }
}
