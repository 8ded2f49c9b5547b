// Python difflib.unified_diff (n=3) over lines, so edit-config prints the same hunks as Patroni.
// SequenceMatcher's longest-matching-block recursion is reproduced (no junk heuristics: config
// documents are far below difflib's 200-line autojunk threshold).

type Tag = 'equal' | 'replace' | 'delete' | 'insert';
type Opcode = [Tag, number, number, number, number];

function longestMatch(a: string[], b: string[], alo: number, ahi: number, blo: number, bhi: number): [number, number, number] {
  const b2j = new Map<string, number[]>();
  b.forEach((line, j) => b2j.set(line, [...(b2j.get(line) ?? []), j]));
  let [besti, bestj, bestsize] = [alo, blo, 0];
  let j2len = new Map<number, number>();
  for (let i = alo; i < ahi; i++) {
    const next = new Map<number, number>();
    for (const j of b2j.get(a[i] ?? '') ?? []) {
      if (j < blo) continue;
      if (j >= bhi) break;
      const k = (j2len.get(j - 1) ?? 0) + 1;
      next.set(j, k);
      if (k > bestsize) [besti, bestj, bestsize] = [i - k + 1, j - k + 1, k];
    }
    j2len = next;
  }
  return [besti, bestj, bestsize];
}

function matchingBlocks(a: string[], b: string[]): [number, number, number][] {
  const queue: [number, number, number, number][] = [[0, a.length, 0, b.length]];
  const blocks: [number, number, number][] = [];
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop() ?? [0, 0, 0, 0];
    const [i, j, k] = longestMatch(a, b, alo, ahi, blo, bhi);
    if (k === 0) continue;
    blocks.push([i, j, k]);
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  blocks.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number, number][] = [];
  for (const blk of blocks) {
    const last = merged.at(-1);
    if (last && last[0] + last[2] === blk[0] && last[1] + last[2] === blk[1]) last[2] += blk[2];
    else merged.push([...blk]);
  }
  merged.push([a.length, b.length, 0]);
  return merged;
}

function opcodes(a: string[], b: string[]): Opcode[] {
  let [i, j] = [0, 0];
  const out: Opcode[] = [];
  for (const [ai, bj, size] of matchingBlocks(a, b)) {
    const tag: Tag | null = i < ai && j < bj ? 'replace' : i < ai ? 'delete' : j < bj ? 'insert' : null;
    if (tag) out.push([tag, i, ai, j, bj]);
    [i, j] = [ai + size, bj + size];
    if (size) out.push(['equal', ai, i, bj, j]);
  }
  return out;
}

function groupedOpcodes(a: string[], b: string[], n: number): Opcode[][] {
  const codes = opcodes(a, b);
  if (codes.length === 0) codes.push(['equal', 0, 1, 0, 1]);
  const first = codes[0];
  if (first && first[0] === 'equal') codes[0] = ['equal', Math.max(first[1], first[2] - n), first[2], Math.max(first[3], first[4] - n), first[4]];
  const last = codes.at(-1);
  if (last && last[0] === 'equal') codes[codes.length - 1] = ['equal', last[1], Math.min(last[2], last[1] + n), last[3], Math.min(last[4], last[3] + n)];
  const groups: Opcode[][] = [];
  let group: Opcode[] = [];
  for (const code of codes) {
    let [tag, i1, i2, j1, j2] = code;
    if (tag === 'equal' && i2 - i1 > 2 * n) {
      group.push([tag, i1, Math.min(i2, i1 + n), j1, Math.min(j2, j1 + n)]);
      groups.push(group);
      group = [];
      [i1, j1] = [Math.max(i1, i2 - n), Math.max(j1, j2 - n)];
    }
    group.push([tag, i1, i2, j1, j2]);
  }
  if (group.length > 0 && !(group.length === 1 && group[0]?.[0] === 'equal')) groups.push(group);
  return groups;
}

function range(start: number, stop: number): string {
  const length = stop - start;
  if (length === 1) return String(start + 1);
  return `${length ? start + 1 : start},${length}`;
}

/** Diff lines without line terminators; [] when equal. */
export function unifiedDiff(a: string[], b: string[], n = 3): string[] {
  const out: string[] = [];
  for (const group of groupedOpcodes(a, b, n)) {
    if (out.length === 0) out.push('--- ', '+++ ');
    const first = group[0];
    const last = group.at(-1);
    if (!first || !last) continue;
    out.push(`@@ -${range(first[1], last[2])} +${range(first[3], last[4])} @@`);
    for (const [tag, i1, i2, j1, j2] of group) {
      if (tag === 'equal') {
        for (const l of a.slice(i1, i2)) out.push(' ' + l);
        continue;
      }
      if (tag !== 'insert') for (const l of a.slice(i1, i2)) out.push('-' + l);
      if (tag !== 'delete') for (const l of b.slice(j1, j2)) out.push('+' + l);
    }
  }
  return out;
}

/** Patroni's listify: the text without trailing newlines, split in lines. */
export function diffLines(text: string): string[] {
  return text.replace(/\n+$/, '').split('\n');
}
