// Validates outgoing webhook data against its topic's JSON Schema (`schemas/topics/`), compiled once by ajv.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { InvalidPayloadError, UnknownTopicError } from '../errors.js';
import type { TopicPayloads } from './generated/topic-types.js';
import { isTopic, TOPICS, type Topic } from './topics.js';
import { ACTIVITY_KINDS, isActivityKind, type ActivityKind } from './activities.js';
import type { ActivityPayloads } from './generated/activity-types.js';

/** The package's `schemas/topics/`: two levels above this module both in `lib/` (sources) and in `dist/` (built). */
const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/topics/', import.meta.url));
const MODEL_DIR = `${SCHEMA_DIR}models/`;
/** The package's `schemas/activities/` (kinds that are not webhook topics). */
const ACTIVITY_SCHEMA_DIR = fileURLToPath(new URL('../../schemas/activities/', import.meta.url));

interface Registry {
  readonly schemas: ReadonlyMap<Topic, object>;
  readonly validators: ReadonlyMap<Topic, ValidateFunction>;
  readonly activityValidators: ReadonlyMap<ActivityKind, ValidateFunction>;
}

let registry: Registry | undefined;

function readJson(path: string): object {
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

/** Loads the shared models and the 26 topic schemas and compiles each topic once, on first use. */
function getRegistry(): Registry {
  if (registry) return registry;
  const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  for (const file of readdirSync(MODEL_DIR).filter((f) => f.endsWith('.json')).sort()) {
    ajv.addSchema(readJson(`${MODEL_DIR}${file}`));
  }
  const schemas = new Map<Topic, object>();
  const validators = new Map<Topic, ValidateFunction>();
  for (const topic of TOPICS) {
    const schema = readJson(`${SCHEMA_DIR}${topic}.json`);
    schemas.set(topic, schema);
    validators.set(topic, ajv.compile(schema));
  }
  const activityValidators = new Map<ActivityKind, ValidateFunction>();
  for (const kind of ACTIVITY_KINDS) activityValidators.set(kind, ajv.compile(readJson(`${ACTIVITY_SCHEMA_DIR}${kind}.json`)));
  registry = { schemas, validators, activityValidators };
  return registry;
}

/** Whether another error at the same place says more than this one (the `null` branch of a nullable model). */
function isShadowed(error: ErrorObject, all: readonly ErrorObject[]): boolean {
  if (error.keyword === 'anyOf') return true;
  if (error.keyword !== 'type' || error.params.type !== 'null') return false;
  const at = error.instancePath;
  return all.some((o) => o !== error && o.keyword !== 'anyOf' && (o.instancePath === at || o.instancePath.startsWith(`${at}/`)));
}

/** Turns ajv errors into messages such as `data/tour must have required property 'id'`. */
function describe(errors: readonly ErrorObject[] | null | undefined): string[] {
  const all = errors ?? [];
  const shown = all.filter((e) => !isShadowed(e, all));
  const messages = (shown.length > 0 ? shown : all).map((e) => {
    const message = `data${e.instancePath} ${e.message ?? 'is invalid'}`;
    if (e.keyword !== 'enum') return message;
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return `${message}: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  });
  return [...new Set(messages.length > 0 ? messages : ['data is invalid'])];
}

/**
 * Checks `data` against the JSON Schema of `topic` and narrows its type.
 *
 * @param topic - The topic the data is published on; any string is accepted and checked.
 * @param data - The webhook's `data` object.
 * @throws {@link UnknownTopicError} when `topic` is not one of `TOPICS`.
 * @throws {@link InvalidPayloadError} when `data` does not satisfy the topic's schema; its
 * `problems` read like `data/tour must have required property 'id'`.
 *
 * @example
 * validateTopicData('tour.started', data); // data is now TopicPayloads['tour.started']
 */
export function validateTopicData<T extends Topic>(topic: T | string, data: unknown): asserts data is TopicPayloads[T] {
  if (!isTopic(topic)) throw new UnknownTopicError(topic);
  const validate = getRegistry().validators.get(topic);
  if (validate === undefined) throw new UnknownTopicError(topic);
  if (!validate(data)) throw new InvalidPayloadError(topic, describe(validate.errors));
}

/** What `publish` accepts: a webhook topic or an activity kind, each with its data. */
export type PublishPayloads = TopicPayloads & ActivityPayloads;

/** A webhook topic or an activity kind. */
export type PublishKind = Topic | ActivityKind;

/**
 * Checks the data of anything `publish` accepts: a webhook topic (as {@link validateTopicData})
 * or an activity kind (`tour.step.seen`, `tour.previewed`) against its schema in `schemas/activities/`.
 *
 * @throws {@link UnknownTopicError} when `kind` is neither.
 * @throws {@link InvalidPayloadError} when `data` does not satisfy the schema.
 */
export function validatePublishData<K extends PublishKind>(kind: K | string, data: unknown): asserts data is PublishPayloads[K] {
  if (!isActivityKind(kind)) {
    validateTopicData(kind, data);
    return;
  }
  const validate = getRegistry().activityValidators.get(kind)!;
  if (!validate(data)) throw new InvalidPayloadError(kind, describe(validate.errors));
}

/**
 * The raw JSON Schema of a topic's `data`, for documentation and the dashboard. Its `$ref`s point
 * to the shared models in `schemas/topics/models/`. Each call returns a fresh copy.
 *
 * @throws {@link UnknownTopicError} when `topic` is not one of `TOPICS`.
 */
export function topicSchema(topic: Topic): object {
  const schema = getRegistry().schemas.get(topic);
  if (schema === undefined) throw new UnknownTopicError(String(topic));
  return structuredClone(schema);
}
