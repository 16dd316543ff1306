/**
 * The outcome per document of a repository's unordered `insertMany`, for group commits
 * (`group-commit.ts`): every document stored, or the error that document alone got. (The
 * repositories run the command themselves: only they touch collections.)
 */
import type { ItemOutcome } from './group-commit.js';

/** One document's error in a bulk write. */
export interface WriteError {
  index: number;
  code?: number;
}

/** The per-document errors of an unordered bulk write's error, or `undefined` when it is another error. */
export function writeErrorsOf(error: unknown): WriteError[] | undefined {
  const errors = (error as { writeErrors?: WriteError | WriteError[] } | null)?.writeErrors;
  if (errors === undefined) return undefined;
  const list = Array.isArray(errors) ? errors : [errors];
  return list.length > 0 && list.every((e) => typeof e?.index === 'number') ? list : undefined;
}

/**
 * Runs one unordered insert of `count` documents (`insert`, the repository's own `insertMany`)
 * and tells its outcome per document: `true` for each stored one, the write error of each
 * refused one (a duplicate key included).
 * @throws the driver's error when the command as a whole failed.
 */
export async function insertOutcomes(count: number, insert: () => Promise<unknown>): Promise<Array<ItemOutcome<true>>> {
  const all = (): Array<ItemOutcome<true>> => Array.from({ length: count }, () => ({ ok: true, value: true }));
  try {
    await insert();
    return all();
  } catch (error) {
    const writeErrors = writeErrorsOf(error);
    if (writeErrors === undefined) throw error;
    const failed = new Map(writeErrors.map((e) => [e.index, e]));
    return all().map((stored, i) => {
      const failure = failed.get(i);
      return failure === undefined ? stored : { ok: false, error: failure };
    });
  }
}
