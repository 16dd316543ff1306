import { describe, expect, it } from 'vitest';
import { GroupCommit, type ItemOutcome } from '../../../lib/store/group-commit.js';

describe('GroupCommit', () => {
  it('should write the items submitted in one event-loop turn as one group, each getting its own value', async () => {
    const groups: number[][] = [];
    const commit = new GroupCommit<number, string>(async (items) => {
      groups.push(items);
      return items.map((n) => ({ ok: true, value: `v${n}` }));
    });
    const first = await Promise.all([1, 2, 3].map((n) => commit.submit(n)));
    const second = await Promise.all([4, 5].map((n) => commit.submit(n)));
    expect(first).toEqual(['v1', 'v2', 'v3']);
    expect(second).toEqual(['v4', 'v5']);
    expect(groups).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('should reject only the items whose outcome is an error', async () => {
    const commit = new GroupCommit<number, number>(async (items) =>
      items.map((n): ItemOutcome<number> => (n % 2 === 0 ? { ok: false, error: new Error(`even ${n}`) } : { ok: true, value: n * 10 })),
    );
    const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => commit.submit(n)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([10, 'even 2', 30, 'even 4']);
  });

  it('should reject every item of a group whose write failed as a whole, and go on with the next group', async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>(async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('connection lost');
      return items.map((n) => ({ ok: true, value: n }));
    });
    const settled = await Promise.allSettled([1, 2].map((n) => commit.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason).toEqual(new Error('connection lost'));
    await expect(commit.submit(3)).resolves.toBe(3);
  });

  it('should split a turn larger than the group size into several groups, in order', async () => {
    const groups: number[][] = [];
    const commit = new GroupCommit<number, number>(async (items) => {
      groups.push(items);
      return items.map((n) => ({ ok: true, value: n }));
    }, undefined, 3);
    const values = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => commit.submit(n)));
    expect(values).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(groups).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('should reject an item the writer returned no outcome for, rather than leave it waiting', async () => {
    const commit = new GroupCommit<number, number>(async (items) => items.slice(1).map((n) => ({ ok: true, value: n })));
    const settled = await Promise.allSettled([1, 2].map((n) => commit.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('should write each item of a failed group alone when it can, so one bad item fails only itself', async () => {
    const groups: number[][] = [];
    const commit = new GroupCommit<number, number>(
      async (items) => {
        groups.push(items);
        if (items.includes(13)) throw new Error('one document is too large');
        return items.map((n) => ({ ok: true, value: n }));
      },
      async (n) => {
        if (n === 13) throw new Error('13 is too large');
        return n * 2;
      },
    );
    const settled = await Promise.allSettled([1, 13, 3].map((n) => commit.submit(n)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([2, '13 is too large', 6]);
    expect(groups).toEqual([[1, 13, 3]]);
  });
});
