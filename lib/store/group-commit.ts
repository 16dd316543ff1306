/**
 * Group commit: writes submitted during one turn of the event loop go to the database together,
 * in one command, and each submitter gets its own item's outcome.
 *
 * A MongoDB command has a fixed cost on both sides (the driver's encoding and bookkeeping, the
 * server's parsing) that dwarfs a small document's. Under concurrent requests, one `insertMany`
 * of the turn's documents costs a fraction of an `insertOne` per request (measured on
 * mongo-java-server: about a fifth of the database's and the driver's CPU per document at eight
 * documents a command), for at most one event-loop turn of latency. Hand-written because it is a
 * few lines around the repository's own bulk write, and no library batches by event-loop turn.
 */

/** The outcome of one item of a flushed group: its value, or the error that item alone got. */
export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Writes a group in one command; one outcome per item, in order. Throws when the whole group failed. */
export type GroupWriter<T, R> = (items: T[]) => Promise<Array<ItemOutcome<R>>>;

interface Waiting<T, R> {
  item: T;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/** Collects the items submitted in one event-loop turn and writes them as one group. */
export class GroupCommit<T, R> {
  private waiting: Array<Waiting<T, R>> = [];
  private scheduled = false;

  /**
   * @param write - writes one group.
   * @param alone - writes one item by itself: when a group of several fails as a whole (one
   *   document the command cannot take, such as one over the size limit, fails them all), each of
   *   its items is written again alone, so it gets its own outcome and no other item's error.
   * @param maxGroup - the most items in one command; a fuller turn is written as several groups.
   */
  constructor(
    private readonly write: GroupWriter<T, R>,
    private readonly alone?: (item: T) => Promise<R>,
    private readonly maxGroup = 500,
  ) {}

  /** Submits one item; settles with its own outcome once its group is written. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.maxGroup) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const group = this.waiting;
    this.waiting = [];
    if (group.length === 0) return;
    this.write(group.map((w) => w.item)).then(
      (outcomes) => {
        group.forEach((w, i) => {
          const outcome = outcomes[i];
          if (outcome === undefined) w.reject(new Error('group commit: the writer returned no outcome for an item'));
          else if (outcome.ok) w.resolve(outcome.value);
          else w.reject(outcome.error);
        });
      },
      (error: unknown) => {
        const alone = this.alone;
        if (alone && group.length > 1) for (const w of group) alone(w.item).then(w.resolve, w.reject);
        else for (const w of group) w.reject(error);
      },
    );
  }
}
