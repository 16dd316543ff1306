// Loads the seed's example webhooks (test/fixtures/topics/<topic>.json) for the topic tests.
import { readFileSync } from 'node:fs';
import { TOPICS, type Topic } from '../../../lib/topics/index.js';

/** One example webhook request body: the `{id, kind, sent_at, data}` envelope. */
export interface TopicFixture {
  id: string;
  kind: string;
  sent_at: string;
  data: Record<string, unknown>;
}

/** A fresh copy of the example webhook of `topic`. */
export function loadFixture(topic: Topic): TopicFixture {
  const url = new URL(`../../fixtures/topics/${topic}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as TopicFixture;
}

/** A fresh copy of the example `data` of `topic`. */
export function fixtureData(topic: Topic): Record<string, unknown> {
  return loadFixture(topic).data;
}

/** Every topic, as `it.each` rows. */
export const TOPIC_ROWS: [Topic][] = TOPICS.map((topic) => [topic]);
