// `npm run dead-letters -- list | show <id> | replay <id|--all> | discard <id|--all>`: what an operator
// does with the messages consumers gave up on (docs/operations.md, Dead letters). NATS_URL names the
// server; the NATS_* credential and TLS variables are read as every service reads them. The
// decisions live in lib/dead-letters.ts; this file parses, connects and prints.
import { ConfigError } from '@commerce-supergraph/shared/config';
import { DeadLetterStore } from '@commerce-supergraph/shared/events/jetstream/dead-letters';
import { type Command, natsSettings, parseCommand, runCommand, USAGE, UsageError } from './lib/dead-letters.ts';

let nats: ReturnType<typeof natsSettings>;
try {
  nats = natsSettings(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`dead-letters: ${error.message}`);
  process.exit(2);
}
const { url, auth } = nats;

let command: Command;
try {
  command = parseCommand(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}

let store: DeadLetterStore;
try {
  store = await DeadLetterStore.connect(url, undefined, auth);
} catch (error) {
  console.error(`cannot connect to NATS at ${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
try {
  process.exitCode = await runCommand(command, store, { out: console.log, err: console.error });
} catch (error) {
  console.error(`dead-letters ${command.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await store.close();
}
