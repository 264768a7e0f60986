/**
 * Typed configuration from the environment. Every service declares what it reads with these
 * readers; all problems are collected and reported together, one line per variable, so a
 * misconfigured deployment is fixed in one go instead of one restart per mistake.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const isProduction = (env: Env = process.env): boolean => env.NODE_ENV === 'production';

interface Options<T> {
  /** Used when the variable is unset, in every environment. */
  default?: T;
  /** Used when unset outside production only: for secrets that must be set in production. */
  devDefault?: T;
}

/** Collects problems while a service reads its variables; `done()` throws them all at once. */
export class ConfigReader {
  private readonly problems: string[] = [];
  /** Variables that fell back to a development default, so start-up can say so. */
  readonly devDefaultsUsed: string[] = [];

  constructor(private readonly env: Env = process.env) {}

  string(name: string, options: Options<string> = {}): string {
    return this.read(name, options, (raw) => raw);
  }

  int(name: string, options: Options<number> & { min?: number; max?: number } = {}): number {
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
    return this.read(name, options, (raw) => {
      const value = Number(raw);
      if (!/^-?\d+$/.test(raw) || value < min || value > max) {
        throw new Error(`must be a whole number from ${min} to ${max}, got "${raw}"`);
      }
      return value;
    });
  }

  bool(name: string, options: Options<boolean> = {}): boolean {
    return this.read(name, options, (raw) => {
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new Error(`must be true or false, got "${raw}"`);
    });
  }

  url(name: string, options: Options<string> & { protocols?: string[] } = {}): string {
    return this.read(name, options, (raw) => {
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        // The value is not echoed: a URL may carry a password.
        throw new Error('must be a URL');
      }
      if (options.protocols && !options.protocols.includes(parsed.protocol)) {
        throw new Error(`must use ${options.protocols.join(' or ')}, got "${parsed.protocol}"`);
      }
      return raw;
    });
  }

  /**
   * A value in a format of the service's own (a key, a list of CIDRs): `parse` throws an Error whose
   * message completes "<NAME> ...", and the problem is reported with all the others.
   */
  parsed<T>(name: string, options: Options<T>, parse: (raw: string) => T): T {
    return this.read(name, options, parse);
  }

  /** A problem that is not one variable's alone (e.g. two that exclude each other), reported with the others. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws a ConfigError naming every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  private read<T>(name: string, options: Options<T>, parse: (raw: string) => T): T {
    const raw = this.env[name];
    if (raw !== undefined && raw !== '') {
      try {
        return parse(raw);
      } catch (error) {
        this.problems.push(`${name} ${(error as Error).message}`);
        return undefined as T;
      }
    }
    if (options.default !== undefined) return options.default;
    if (options.devDefault !== undefined && !isProduction(this.env)) {
      this.devDefaultsUsed.push(name);
      return options.devDefault;
    }
    this.problems.push(
      options.devDefault !== undefined ? `${name} is required when NODE_ENV=production` : `${name} is required`,
    );
    return undefined as T;
  }
}
