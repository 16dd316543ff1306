import { describe, it, expect } from 'vitest';
import { addWarning, joinPath } from '../../../lib/normalize/warnings.js';
import type { DataWarning } from '../../../lib/normalize/types.js';

describe('addWarning', () => {
  it('should add one warning per prop and reason in a run', () => {
    const list: DataWarning[] = [];
    addWarning(list, 'tags', 'truncated', 'a');
    addWarning(list, 'tags', 'object_in_array', 'b');
    addWarning(list, 'tags', 'truncated', 'c');
    addWarning(list, 'tags', 'object_in_array', 'd');
    expect(list).toEqual([
      { prop: 'tags', reason: 'truncated', example: 'a' },
      { prop: 'tags', reason: 'object_in_array', example: 'b' },
    ]);
  });

  it('should add a warning again once another prop came in between', () => {
    const list: DataWarning[] = [];
    addWarning(list, 'a', 'truncated', '1');
    addWarning(list, 'b', 'truncated', '2');
    addWarning(list, 'a', 'truncated', '3');
    expect(list.map((w) => w.prop)).toEqual(['a', 'b', 'a']);
  });
});

describe('joinPath', () => {
  it.each([
    [undefined, 'plan', 'plan'],
    ['', 'plan', 'plan'],
    ['deep', 'b', 'deep.b'],
    ['deep.b', 'c', 'deep.b.c'],
    ['deep', '', 'deep'],
  ])('should join %j and %j as %j', (parent, name, expected) => {
    expect(joinPath(parent, name)).toBe(expected);
  });
});
