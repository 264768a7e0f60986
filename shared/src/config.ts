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

/** A secret shorter than this is refused in production (GATEWAY_SECRET, ADMIN_PASSWORD). */
export const MIN_SECRET_BYTES = 32;

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

  /** One of `values`, spelled exactly: a near miss such as `prod` is refused, not taken for another value. */
  oneOf<T extends string>(name: string, values: readonly T[], options: Options<T> = {}): T {
    return this.read(name, options, (raw) => {
      if (!(values as readonly string[]).includes(raw)) {
        throw new Error(`must be one of ${values.join(', ')}, got "${raw.slice(0, 40)}"`);
      }
      return raw as T;
    });
  }

  /**
   * A secret: in production it must be set, at least MIN_SECRET_BYTES long and none of the
   * `published` values (development defaults printed in the repository, the `devDefault` among them).
   * Outside production a published value is accepted and reported like a development default. The
   * value never appears in a message.
   */
  secret(name: string, options: { devDefault?: string; published?: readonly string[] } = {}): string {
    const published = [...(options.devDefault === undefined ? [] : [options.devDefault]), ...(options.published ?? [])];
    return this.read(name, { devDefault: options.devDefault }, (raw) => {
      if (published.includes(raw)) {
        if (isProduction(this.env)) {
          throw new Error('is a development value published in the repository: generate one (openssl rand -base64 48)');
        }
        this.devDefaultsUsed.push(name);
      } else if (isProduction(this.env) && Buffer.byteLength(raw) < MIN_SECRET_BYTES) {
        throw new Error(
          `must be at least ${MIN_SECRET_BYTES} bytes in production, got ${Buffer.byteLength(raw)} (openssl rand -base64 48)`,
        );
      }
      return raw;
    });
  }

  /** A value of any shape: `parse` returns it or throws an Error whose message follows the variable's name. */
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
