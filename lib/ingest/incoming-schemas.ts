/**
 * The JSON Schemas of every incoming body (`schemas/incoming/*.json`), compiled once by ajv.
 * Schemas are read from the package's `schemas/` folder, two levels above this module both
 * in `lib/` (sources) and in `dist/` (built).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ChameleonError } from '../errors.js';

const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/incoming/', import.meta.url));

/** The incoming bodies that have a schema. */
export type IncomingSchema = 'profile' | 'company' | 'event' | 'profiles-batch' | 'companies-batch';

function load(name: string): object {
  return JSON.parse(readFileSync(`${SCHEMA_DIR}${name}.json`, 'utf8')) as object;
}

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
ajv.addSchema(load('defs'));
const validators = new Map<IncomingSchema, ValidateFunction>(
  (['profile', 'company', 'event', 'profiles-batch', 'companies-batch'] as const).map((name) => [name, ajv.compile(load(name))]),
);

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const at = e.instancePath ? `\`${e.instancePath.slice(1).replaceAll('/', '.')}\`` : 'The body';
    return `${at} ${e.message ?? 'is invalid'}`;
  });
}

/** Problems with `data` against schema `name`, or an empty list when it is valid. */
export function incomingProblems(name: IncomingSchema, data: unknown): string[] {
  const validate = validators.get(name)!;
  return validate(data) ? [] : describe(validate.errors);
}

/** Throws a `422` naming the first problem when `data` does not satisfy schema `name`. */
export function assertIncoming(name: IncomingSchema, data: unknown): void {
  const problems = incomingProblems(name, data);
  if (problems.length > 0) throw new ChameleonError('CH_ERR_UNPROCESSABLE', problems);
}
