/**
 * A short unified-style diff for the drift report, so CI shows what drifted without a diff tool.
 * Line-based LCS on the part between the common prefix and suffix; schemas change in a few places,
 * so that part stays small. Past MAX_CELLS it falls back to "all removed, all added".
 */

interface Op {
  kind: ' ' | '-' | '+';
  text: string;
}

const MAX_CELLS = 4_000_000;

export interface DiffOptions {
  /** Unchanged lines shown around each change. */
  context?: number;
  /** Output lines shown at most; the rest is counted, not printed. */
  maxLines?: number;
}

/**
 * `-` lines are only in `before`, `+` lines only in `after`. Empty when the lines are equal, which
 * includes texts that differ only in line endings or the final newline.
 */
export function unifiedDiff(before: string, after: string, options: DiffOptions = {}): string[] {
  const { context = 3, maxLines = 40 } = options;
  const ops = editScript(toLines(before), toLines(after));
  const lines = hunks(ops, context);
  if (lines.length <= maxLines) return lines;
  return [...lines.slice(0, maxLines), `... ${lines.length - maxLines} more diff lines`];
}

function toLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function editScript(a: string[], b: string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const same = (lines: string[]): Op[] => lines.map((text) => ({ kind: ' ', text }));
  return [...same(a.slice(0, start)), ...lcsOps(a.slice(start, endA), b.slice(start, endB)), ...same(a.slice(endA))];
}

function lcsOps(a: string[], b: string[]): Op[] {
  const removed: Op[] = a.map((text) => ({ kind: '-', text }));
  const added: Op[] = b.map((text) => ({ kind: '+', text }));
  if (a.length === 0 || b.length === 0 || a.length * b.length > MAX_CELLS) return [...removed, ...added];
  const width = b.length + 1;
  // suffix[i * width + j]: length of the longest common subsequence of a[i..] and b[j..].
  const suffix = new Uint32Array((a.length + 1) * width);
  const at = (i: number, j: number) => suffix[i * width + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      suffix[i * width + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i++]! });
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) ops.push(removed[i++]!);
    else ops.push(added[j++]!);
  }
  return [...ops, ...removed.slice(i), ...added.slice(j)];
}

/** Groups changes with `context` lines around them into `@@ -a,n +b,m @@` hunks. */
function hunks(ops: Op[], context: number): string[] {
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]));
  const out: string[] = [];
  let next = 0;
  while (next < changed.length) {
    const first = changed[next]!;
    let last = first;
    while (next < changed.length && changed[next]! - last <= 2 * context + 1) last = changed[next++]!;
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length, last + context + 1);
    const before = ops.slice(0, from);
    const slice = ops.slice(from, to);
    const count = (list: Op[], kind: '-' | '+') => list.filter((op) => op.kind !== (kind === '-' ? '+' : '-')).length;
    out.push(
      `@@ -${count(before, '-') + 1},${count(slice, '-')} +${count(before, '+') + 1},${count(slice, '+')} @@`,
      ...slice.map((op) => `${op.kind}${op.text}`),
    );
  }
  return out;
}
