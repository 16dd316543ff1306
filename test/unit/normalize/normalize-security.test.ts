import { describe, it, expect } from 'vitest';
import { cleanProperties, cleanValue } from '../../../lib/normalize/normalize.js';
import type { CleanOptions, CleanValue } from '../../../lib/normalize/types.js';

const options: CleanOptions = { valueBytes: 768, now: new Date('2029-01-01T00:00:00.000Z') };
const SAFE_KEY = /^[a-z0-9_]+$/;

/** Every key of a clean value, at every level. */
function allKeys(value: CleanValue | Record<string, CleanValue>): string[] {
  if (typeof value !== 'object' || value instanceof Date || Array.isArray(value)) return [];
  return Object.keys(value).flatMap((key) => [key, ...allKeys(value[key] as CleanValue)]);
}

describe('normalisation security', () => {
  it('should not pollute Object.prototype from a JSON "__proto__" key', () => {
    const body = JSON.parse('{"__proto__":{"polluted":1},"a":{"__proto__":{"polluted":2}}}') as Record<string, unknown>;
    const result = cleanProperties(body, options);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((result.props as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(result.props)).toEqual(['a']);
    expect(result.warnings.map((w) => [w.prop, w.reason])).toEqual([
      ['proto', 'reserved_name'],
      ['a.proto', 'reserved_name'],
    ]);
  });

  it('should build objects with a null prototype', () => {
    const result = cleanProperties({ a: { b: { c: 1 } } }, options);
    const a = result.props.a as Record<string, CleanValue>;
    expect(Object.getPrototypeOf(result.props)).toBeNull();
    expect(Object.getPrototypeOf(a)).toBeNull();
    expect(Object.getPrototypeOf(a.b)).toBeNull();
  });

  it.each([
    ['constructor', 'constructor'],
    ['prototype', 'prototype'],
    ['toString', 'to_string'],
    ['valueOf', 'value_of'],
  ])('should store %j as a plain own property %j that alters no prototype', (raw, name) => {
    const body = JSON.parse(`{${JSON.stringify(raw)}:{"polluted":1},"x":{${JSON.stringify(raw)}:{"polluted":1}}}`) as Record<
      string,
      unknown
    >;
    const result = cleanProperties(body, options);
    expect(Object.getPrototypeOf(result.props)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(result.props, name)?.value).toEqual({ polluted: 1 });
    expect(Object.getOwnPropertyDescriptor(result.props.x, name)?.value).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['$where', '$set', '$inc', '$gt'])('should never store the operator %j, at any level', (key) => {
    const body = JSON.parse(`{${JSON.stringify(key)}:"x","a":{${JSON.stringify(key)}:"x","b":{${JSON.stringify(key)}:"x"}}}`) as Record<
      string,
      unknown
    >;
    const result = cleanProperties(body, options);
    expect(allKeys(result.props)).toEqual(['a', 'b']);
    expect(result.warnings.map((w) => w.reason)).toEqual(['reserved_name', 'reserved_name', 'reserved_name']);
  });

  it('should turn a dotted key into a flat name, never a path', () => {
    const result = cleanProperties({ 'a.b': 1, x: { 'c.d': 2 } }, options);
    expect(allKeys(result.props)).toEqual(['a_b', 'x', 'c_d']);
  });

  it('should only ever output keys matching ^[a-z0-9_]+$', () => {
    const hostile = JSON.parse(
      '{"$a":1,"a.b":1,"a$b":1,"__proto__":1,"  ":1,"ö.ü":1,"x":{"y.z":{"$q":1,"w\\u0000v":1}},"\\u202e":1,"A[0]":1}',
    ) as Record<string, unknown>;
    const keys = allKeys(cleanProperties(hostile, options).props);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(SAFE_KEY);
  });

  it('should not leak a reference to a raw input object', () => {
    const raw = { b: 1 };
    const value = cleanValue('a', raw, options, []);
    expect(value).not.toBe(raw);
  });
});
