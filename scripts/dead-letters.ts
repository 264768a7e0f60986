// `npm run dead-letters -- list | show <id> | replay <id|--all> | discard <id|--all>`: what an operator
// does with the messages consumers gave up on (docs/operations.md, Dead letters). NATS_URL names the
// server. The decisions live in lib/dead-letters.ts; this file parses, connects and prints.
import { DeadLetterStore } from '@commerce-supergraph/shared/events/jetstream/dead-letters';
import { type Command, parseCommand, runCommand, USAGE, UsageError } from './lib/dead-letters.ts';

const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

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
  store = await DeadLetterStore.connect(url);
} catch (error) {
  console.error(`NATS is not reachable at ${url}: ${error instanceof Error ? error.message : String(error)}`);
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
