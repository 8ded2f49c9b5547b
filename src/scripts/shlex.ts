// Python's shlex.split (POSIX mode, no comments): how Patroni turns a configured command string
// (callbacks, pre_promote, before_stop, bootstrap and replica methods) into an argument vector.
// No shell ever runs it, so `$VAR`, globs and `;` stay literal, as in Patroni.

export class ShlexError extends Error {}

export function shlexSplit(s: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < s.length && '\\"$`\n'.includes(s[i + 1] as string)) word += s[++i];
      else word += c;
    } else if (c === '\\') {
      if (i + 1 >= s.length) throw new ShlexError('No escaped character');
      inWord = true;
      if (s[i + 1] !== '\n') word += s[i + 1];
      i++;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new ShlexError('No closing quotation');
  if (inWord) out.push(word);
  return out;
}
