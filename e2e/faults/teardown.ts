import { setTimeout as sleep } from 'node:timers/promises';

interface Step {
  label: string;
  run: () => Promise<void>;
  force: () => void;
}

/**
 * Every process and directory a run made, undone on success, failure, Ctrl-C or a crash of the
 * run itself (the fault suite, the cluster test): newest first, each step bounded, a step that fails
 * or hangs forced. A second Ctrl-C forces everything at once.
 */
export class Teardown {
  interrupted = false;
  private readonly steps: Step[] = [];
  /** Services exit on the terminal's Ctrl-C too: none may be restarted once the end has begun. */
  private readonly holds: (() => void)[] = [];
  private cleaning: Promise<void> | undefined;

  add(label: string, run: () => Promise<void>, force: () => void = () => undefined): void {
    this.steps.push({ label, run, force });
  }

  /** Called first when the end begins (e.g. a service's "restart no more"). */
  hold(hold: () => void): void {
    this.holds.push(hold);
  }

  run(): Promise<void> {
    for (const hold of this.holds) hold();
    this.cleaning ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await Promise.race([step.run(), sleep(20_000).then(() => Promise.reject(new Error('timed out')))]);
        } catch (error) {
          console.error(`clean-up of ${step.label} failed (${(error as Error).message}); forcing`);
          try {
            step.force();
          } catch {
            // best effort
          }
        }
      }
    })();
    return this.cleaning;
  }

  force(): void {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        step.force();
      } catch {
        // best effort
      }
    }
  }

  /** Signals end the run with 128 + the signal's number, after the clean-up; a crash with 2. */
  install(what: string): void {
    const onSignal = (signal: NodeJS.Signals, code: number) => {
      if (this.interrupted) {
        console.error(`\n${signal} again: killing everything now`);
        this.force();
        process.exit(code);
      }
      this.interrupted = true;
      console.error(`\n${signal}: stopping every process and removing the temporary directories (again to force)`);
      void this.run().finally(() => process.exit(code));
    };
    process.on('SIGINT', () => onSignal('SIGINT', 130));
    process.on('SIGTERM', () => onSignal('SIGTERM', 143));
    process.on('SIGHUP', () => onSignal('SIGHUP', 129));
    const crash = (error: unknown) => {
      console.error(`${what} crashed:`, error);
      void this.run().finally(() => process.exit(2));
    };
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
  }
}
