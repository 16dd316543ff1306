/**
 * Recording data warnings: one per property path and reason in a run, however many items share it.
 */
import type { DataWarning, WarningReason } from './types.js';

/**
 * Appends a warning unless the run of warnings at the end of `warnings` for the same `prop`
 * already has one with this reason, so that an array of 1,000 long strings yields one
 * `truncated` warning, not 1,000. Runs hold at most one warning per reason, so this is O(1).
 *
 * @example
 * const list: DataWarning[] = [];
 * addWarning(list, 'tags', 'truncated', 'aaa…');
 * addWarning(list, 'tags', 'truncated', 'bbb…'); // list.length === 1
 */
export function addWarning(warnings: DataWarning[], prop: string, reason: WarningReason, example: string): void {
  for (let i = warnings.length - 1; i >= 0; i--) {
    const previous = warnings[i];
    if (previous === undefined || previous.prop !== prop) break;
    if (previous.reason === reason) return;
  }
  warnings.push({ prop, reason, example });
}

/**
 * Joins a parent path and a normalised name into a dotted warning path.
 *
 * @example
 * joinPath(undefined, 'plan') // 'plan'
 * joinPath('deep.b', 'c')     // 'deep.b.c'
 * joinPath('deep', '')        // 'deep'
 */
export function joinPath(parent: string | undefined, name: string): string {
  if (parent === undefined || parent === '') return name;
  return name === '' ? parent : `${parent}.${name}`;
}
