/**
 * Sample data for every topic, read from the seed fixtures in `test/fixtures/topics/` (the same
 * files the schema tests accept), so the example never drifts from what `publish` validates.
 */
import { readFileSync } from 'node:fs';
import { TOPICS, type Topic, type TopicPayloads } from '../lib/index.js';

const FIXTURES = new URL('../test/fixtures/topics/', import.meta.url);

/** The `data` of each topic's fixture (a fixture is a whole webhook body: `{id, kind, sent_at, data}`). */
function loadSamples(): ReadonlyMap<Topic, TopicPayloads[Topic]> {
  const samples = new Map<Topic, TopicPayloads[Topic]>();
  for (const topic of TOPICS) {
    const body = JSON.parse(readFileSync(new URL(`${topic}.json`, FIXTURES), 'utf8')) as { data: TopicPayloads[Topic] };
    samples.set(topic, body.data);
  }
  return samples;
}

/** Sample `data` for all 26 topics, loaded once at start. */
export const SAMPLES = loadSamples();
