import { describe, it, expect } from 'vitest';
import { useTestDb } from '../helpers/db.js';

describe('the test database', () => {
  it('should store and find a document over the wire', async () => {
    const { db } = await useTestDb();
    await db.collection('probe').insertOne({ a: 1 });
    expect(await db.collection('probe').findOne({ a: 1 }, { projection: { _id: 0 } })).toEqual({ a: 1 });
  });
});
