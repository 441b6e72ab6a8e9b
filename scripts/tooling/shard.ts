/**
 * `--shard i/n`: run the i-th of n disjoint slices of the notebook list (0-based, as Kubernetes indexed jobs and
 * `SLURM_ARRAY_TASK_ID=0..n-1` count). Notebooks are dealt round-robin in course order, so every shard gets a mix
 * of early (short) and late (long) lessons and the union of all shards is the whole list.
 */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`--shard '${text}': expected i/n, e.g. 0/4 (0-based index i of n shards)`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new Error(`--shard '${text}': the shard count must be at least 1`);
  if (index >= count) throw new Error(`--shard '${text}': the index must be 0..${count - 1} (0-based)`);
  return { index, count };
}

export function selectShard<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, position) => position % shard.count === shard.index);
}
