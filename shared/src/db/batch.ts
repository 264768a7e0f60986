/**
 * Shapes batch-loaded rows to match the requested keys, as DataLoader requires: one result per
 * key, in key order.
 */
export async function batchByKey<K, V>(
  keys: readonly K[],
  rows: Promise<V[]>,
  keyOf: (row: V) => K,
): Promise<(V | undefined)[]> {
  const byKey = new Map((await rows).map((row) => [keyOf(row), row] as const));
  return keys.map((key) => byKey.get(key));
}

/** Like batchByKey for one-to-many: every key gets the (possibly empty) list of its rows, in row order. */
export async function batchGroupsByKey<K, V>(
  keys: readonly K[],
  rows: Promise<V[]>,
  keyOf: (row: V) => K,
): Promise<V[][]> {
  const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
  for (const row of await rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}
