import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import type { DeadLetterStore, StoredDeadLetter } from '@commerce-supergraph/shared/events/jetstream/dead-letters';
import { type NatsAuth, readNatsAuth, readNatsUrl } from '@commerce-supergraph/shared/nats-config';

/**
 * `npm run dead-letters`: the decisions, apart from the connection (scripts/dead-letters.ts), so
 * they can be tested against any store. Ids are the letters' sequence numbers in DEAD_LETTERS.
 */

export const USAGE = `usage: npm run dead-letters -- <command>
  list                  every dead letter: id, time, consumer, subject, event id, deliveries, error
  show <id>             one dead letter in full, with its envelope (or the raw message)
  replay <id> | --all   publish the original envelope again to its subject, then remove the letter;
                        consumers that handled it already skip it through their inbox
  discard <id> | --all  remove the letter without replaying it
NATS_URL names the server (default nats://127.0.0.1:4222); NATS_USER and NATS_PASSWORD, NATS_TOKEN,
NATS_CREDS_FILE or NATS_NKEY_SEED_FILE, and NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE
are read as the services read them. Only the user of the service that publishes a letter's subject
may replay it.`;

/** Where and as whom to connect, from the same variables the services read; throws a ConfigError. */
export function natsSettings(env: Env): { url: string; auth: NatsAuth } {
  const reader = new ConfigReader(env);
  const url = readNatsUrl(reader);
  const auth = readNatsAuth(reader, env);
  reader.done();
  return { url, auth };
}

/** What the commands need of the store (DeadLetterStore, or a stand-in). */
export type DeadLetters = Pick<DeadLetterStore, 'stream' | 'list' | 'get' | 'replay' | 'discard'>;

export type Command =
  | { name: 'list' }
  | { name: 'show'; id: number }
  | { name: 'replay' | 'discard'; id: number | 'all' };

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Handled events are remembered this long by every consumer's inbox (shared/src/events/service-events.ts). */
export const INBOX_RETENTION_MS = 7 * 24 * 3_600_000;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCommand(args: readonly string[]): Command {
  const [name, target, ...rest] = args;
  if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
  if (name === 'list' && target === undefined) return { name };
  if (name === 'show') return { name, id: parseId(target) };
  if (name === 'replay' || name === 'discard') return { name, id: target === '--all' ? 'all' : parseId(target) };
  throw new UsageError(name === undefined ? 'no command given' : `unknown command: ${args.join(' ')}`);
}

function parseId(text: string | undefined): number {
  if (text === undefined) throw new UsageError('a dead-letter id is needed (the ID column of list)');
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`not a dead-letter id: ${text}`);
  return Number(text);
}

/** Runs one command; returns the exit code: 0 done, 1 something could not be done. */
export async function runCommand(command: Command, store: DeadLetters, io: Output, now = new Date()): Promise<number> {
  switch (command.name) {
    case 'list': {
      const letters = await store.list();
      if (letters.length === 0) io.out(`no dead letters in ${store.stream}`);
      else for (const line of formatList(letters)) io.out(line);
      return 0;
    }
    case 'show': {
      const letter = await find(store, command.id, io);
      if (!letter) return 1;
      for (const line of formatLetter(letter, now)) io.out(line);
      return 0;
    }
    case 'replay':
    case 'discard': {
      const letters = command.id === 'all' ? await store.list() : [await find(store, command.id, io)];
      if (letters[0] === undefined) return command.id === 'all' ? nothingToDo(store, io) : 1;
      let failed = 0;
      for (const letter of letters as StoredDeadLetter[]) {
        const done =
          command.name === 'replay' ? await replay(store, letter, io, now) : await discard(store, letter, io);
        if (!done) failed += 1;
      }
      return failed > 0 ? 1 : 0;
    }
  }
}

function nothingToDo(store: DeadLetters, io: Output): number {
  io.out(`no dead letters in ${store.stream}`);
  return 0;
}

async function find(store: DeadLetters, id: number, io: Output): Promise<StoredDeadLetter | undefined> {
  const letter = await store.get(id);
  if (!letter) io.err(`no dead letter ${id} in ${store.stream} (replayed or discarded already?)`);
  return letter;
}

async function replay(store: DeadLetters, letter: StoredDeadLetter, io: Output, now: Date): Promise<boolean> {
  if (!letter.envelope) {
    io.err(`dead letter ${letter.seq} is not an event envelope, so there is nothing to replay: discard it`);
    return false;
  }
  const old = tooOldWarning(letter, now);
  if (old) io.err(`warning: dead letter ${letter.seq} ${old}`);
  try {
    const copy = await store.replay(letter);
    const stored = copy.duplicate
      ? 'already replayed, the server kept the first copy'
      : `stored as ${copy.stream} #${copy.seq}`;
    io.out(`replayed ${letter.seq}: event ${letter.eventId} to ${letter.subject} for ${letter.consumer} (${stored})`);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`dead letter ${letter.seq} not replayed: ${message}`);
    if (/permissions violation/i.test(message)) {
      io.err(
        `  this NATS user may not publish ${letter.subject}: replay it with the credentials of the service that ` +
          `publishes it (under docker compose, from that service's container)`,
      );
    }
    return false;
  }
}

async function discard(store: DeadLetters, letter: StoredDeadLetter, io: Output): Promise<boolean> {
  if (await store.discard(letter.seq)) io.out(`discarded ${letter.seq}: ${summary(letter)}`);
  else io.out(`dead letter ${letter.seq} was already gone`);
  return true;
}

const summary = (letter: StoredDeadLetter) =>
  `${letter.subject} event ${letter.eventId ?? '(none)'} of ${letter.consumer}`;

/** One line per letter under a header, columns padded to their widest value; the error comes last. */
export function formatList(letters: readonly StoredDeadLetter[]): string[] {
  const header = ['ID', 'FAILED AT', 'CONSUMER', 'SUBJECT', 'EVENT ID', 'DELIVERIES', 'ERROR'];
  const rows = letters.map((letter) => [
    String(letter.seq),
    letter.failedAt,
    letter.consumer,
    letter.subject,
    letter.eventId ?? '(not an envelope)',
    String(letter.deliveryCount),
    oneLine(letter.error),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)];
}

/** Everything about one letter, and what can be done with it. */
export function formatLetter(letter: StoredDeadLetter, now = new Date()): string[] {
  const lines = [
    `id:          ${letter.seq} (in ${letter.storedSubject})`,
    `consumer:    ${letter.consumer}`,
    `subject:     ${letter.subject}`,
    `event id:    ${letter.eventId ?? '(not an event envelope)'}`,
    `deliveries:  ${letter.deliveryCount}`,
    `failed at:   ${letter.failedAt}`,
    `error:       ${letter.error}`,
  ];
  if (letter.envelope) {
    lines.push(
      'envelope:',
      ...JSON.stringify(letter.envelope, null, 2)
        .split('\n')
        .map((line) => `  ${line}`),
    );
    lines.push(`replay it once its cause is fixed: npm run dead-letters -- replay ${letter.seq}`);
    const old = tooOldWarning(letter, now);
    if (old) lines.push(`warning: ${old}`);
  } else {
    lines.push(`raw:         ${letter.raw ?? ''}`, `nothing to replay: npm run dead-letters -- discard ${letter.seq}`);
  }
  return lines;
}

/** Past the inbox retention, consumers that handled the original may no longer know its id. */
function tooOldWarning(letter: StoredDeadLetter, now: Date): string | undefined {
  const failedAt = Date.parse(letter.failedAt);
  if (Number.isNaN(failedAt) || now.getTime() - failedAt <= INBOX_RETENTION_MS) return undefined;
  return (
    'failed more than 7 days ago: the other consumers of its subject may have forgotten they handled it ' +
    '(inbox rows are kept 7 days), so only their own guards keep them from applying it again'
  );
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
