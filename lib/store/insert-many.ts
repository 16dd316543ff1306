/**
 * One unordered `insertMany` whose outcome is told per document, for group commits
 * (`group-commit.ts`): every document stored, or the error that document alone got.
 */
import type { Collection, Document, OptionalUnlessRequiredId } from 'mongodb';
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
 * Inserts `docs` in one unordered command: `true` for each stored document, the write error of
 * each refused one (a duplicate key included).
 * @throws the driver's error when the command as a whole failed.
 */
export async function insertManyOutcomes<T extends Document>(collection: Collection<T>, docs: T[]): Promise<Array<ItemOutcome<true>>> {
  try {
    await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false });
    return docs.map(() => ({ ok: true, value: true }));
  } catch (error) {
    const writeErrors = writeErrorsOf(error);
    if (writeErrors === undefined) throw error;
    const failed = new Map(writeErrors.map((e) => [e.index, e]));
    return docs.map((_, i) => {
      const failure = failed.get(i);
      return failure === undefined ? { ok: true, value: true } : { ok: false, error: failure };
    });
  }
}
