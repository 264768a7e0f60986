// `npm run reset`: deletes what npm start's own servers stored (the embedded PostgreSQL's data and
// the local NATS streams) in the git-ignored `.data/`, after asking, or at once with `--yes`.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { localDataDir, runningServers, shown } from './lib/local-data.ts';

const { values } = parseArgs({ options: { yes: { type: 'boolean', short: 'y', default: false } } });
const dataDir = localDataDir();

if (!existsSync(dataDir)) {
  console.log(`Nothing to delete: ${shown(dataDir)} does not exist.`);
  process.exit(0);
}
// Deleting files under a running server corrupts its state rather than resetting it.
const running = runningServers(dataDir);
if (running.length > 0) {
  console.error(
    `${running.join(' and ')} from npm start still run on ${shown(dataDir)}: stop npm start (Ctrl-C) first.`,
  );
  process.exit(1);
}
if (!values.yes) {
  // Without a terminal nobody can answer: a script must say --yes.
  if (!process.stdin.isTTY) {
    console.error(`Not deleting ${shown(dataDir)} without a confirmation: run \`npm run reset -- --yes\`.`);
    process.exit(1);
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await prompt.question(
    `Delete ${shown(dataDir)} (every customer, product and order of the embedded PostgreSQL, and the NATS streams)? [y/N] `,
  );
  prompt.close();
  if (!/^y(es)?$/i.test(answer.trim())) {
    console.log('Nothing deleted.');
    process.exit(0);
  }
}
await rm(dataDir, { recursive: true, force: true });
console.log(`Deleted ${shown(dataDir)}; the next npm start begins with empty databases and streams.`);
