/**
 * CLI output: human tables by default, JSON with `--json`, and the exit codes (0 ok, 1 failure, 2 usage).
 */

/** Exit codes of the CLI. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 });

/** Where output goes (the process's streams, or a test's). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** A cell as text: dates and nulls readable, objects as JSON. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.map(cell).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * A plain-text table of `rows` under `columns` (hand-written: a dozen lines, no dependency for it).
 * @example table([{ id: 'a', n: 1 }], ['id', 'n']) // 'ID  N\na   1'
 */
export function table(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

/** One object as `key  value` lines. */
export function details(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  return Object.entries(record)
    .map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`)
    .join('\n');
}
