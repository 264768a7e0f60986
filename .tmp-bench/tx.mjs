// A/B: transactions through MikroORM + the guard, deferred begin on/off, alternating; client and backend CPU.

import { readFileSync } from 'node:fs';
import { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { DeferredBegin } from '../shared/dist/db/deferred-begin.js';
import { inOneTrip } from '../shared/dist/db/one-trip.js';
import { ormOptions } from '../shared/dist/db/orm.js';
import { unitOfWork } from '../shared/dist/db/unit-of-work.js';

const orm = await MikroORM.init(
  ormOptions({
    url: 'postgres://postgres@127.0.0.1:5432/postgres',
    dbName: 'txbench',
    entities: [],
    migrations: [],
    log: pino({ level: 'silent' }),
    poolMax: 4,
    overrides: { discovery: { warnWhenNoEntities: false } },
  }),
);
await orm.schema.ensureDatabase();
await orm.em.execute('create table if not exists t (id serial primary key, v int)');
const original = DeferredBegin.prototype.query;
const passThrough = (send, text, values) => send(text, values);
const clk = 100;
async function backendTicks() {
  const rows = await orm.em.fork().execute("select pid from pg_stat_activity where datname = 'txbench'");
  let t = 0;
  for (const { pid } of rows) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      t += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return t;
}
async function round(mode, n) {
  DeferredBegin.prototype.query = mode === 'deferred' ? original : passThrough;
  const multi = mode === 'deferred';
  const b0 = await backendTicks();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = 0; i < n / 4; i++) {
        await unitOfWork(orm.em.fork(), async (tx) => {
          if (multi)
            await inOneTrip(tx, [
              ['select pg_advisory_xact_lock(?)', [i]],
              ['select count(*) from t where id = ?', [i]],
            ]);
          else {
            await tx.execute('select pg_advisory_xact_lock(?)', [i]);
            await tx.execute('select count(*) from t where id = ?', [i]);
          }
          await tx.execute('insert into t (v) values (?)', [i]);
        });
      }
    }),
  );
  const c = process.cpuUsage(c0);
  const b = (await backendTicks()) - b0;
  const t = performance.now() - t0;
  return {
    mode,
    wallUs: ((t * 1000) / n).toFixed(0),
    clientUs: ((c.user + c.system) / n).toFixed(0),
    backendUs: ((b * 1e6) / clk / n).toFixed(0),
  };
}
await round('apart', 2000);
await round('deferred', 2000);
for (let r = 0; r < 3; r++) {
  console.log(await round('apart', 4000));
  console.log(await round('deferred', 4000));
}
await orm.close(true);
