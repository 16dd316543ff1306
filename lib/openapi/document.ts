/**
 * The OpenAPI 3.1 document of the package's HTTP API, built from the operations table and the JSON
 * Schemas in `schemas/` (the single source: the same files validate requests and payloads), plus
 * the outgoing webhooks as OpenAPI `webhooks`. Built once, on first use.
 */
import { readFileSync } from 'node:fs';
import { OPERATIONS, type Operation } from './operations.js';
import { bundleSchemas, componentName, SCHEMAS_DIR } from './bundle-schemas.js';
import { TOPICS } from '../topics/index.js';

/** A `$ref` to the component of `ref` (`file.json#/pointer`). */
function refTo(ref: string): { $ref: string } {
  const [file = '', pointer = ''] = ref.split('#', 2);
  return { $ref: `#/components/schemas/${componentName(file)}${pointer}` };
}

const ERROR = refTo('api/responses.json#/definitions/error');

/** Error answers every operation may give (the `{code, messages}` body). */
const ERROR_STATUSES: Record<number, string> = {
  400: 'Malformed JSON, an empty body, or a body that is not a JSON object',
  401: 'A Customer.io reporting webhook whose X-CIO-Signature does not verify',
  403: 'Missing or unknown account secret',
  404: 'Unknown record or route',
  405: 'The path does not have this method (see the Allow header)',
  413: 'Body over the limit',
  415: 'Not application/json, or a charset other than UTF-8',
  422: 'JSON that breaks the rules',
  429: 'Over the per-account rate limit (only with the rateLimit option)',
  503: 'Closed, shutting down, or MongoDB unreachable right now',
};

/** The OpenAPI `links` of one success answer (the id it returns, passed to the operations that take it). */
function linksOf(op: Operation, status: number): { links?: Record<string, unknown> } {
  if (!op.links || op.links.status !== status) return {};
  const id = `$response.body#${op.links.from}`;
  return { links: Object.fromEntries(op.links.to.map((operationId) => [operationId, { operationId, parameters: { id } }])) };
}

function operationObject(op: Operation): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, ref] of Object.entries(op.responses)) {
    responses[status] = { description: 'Success', content: { 'application/json': { schema: refTo(ref) } }, ...linksOf(op, Number(status)) };
  }
  if (op.auth !== false || op.path.includes('{account_secret}')) {
    for (const [status, description] of Object.entries(ERROR_STATUSES)) {
      responses[status] = { description, content: { 'application/json': { schema: ERROR } } };
    }
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    ...(op.auth === false ? { security: [] } : {}),
    ...(op.parameters ? { parameters: op.parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: refTo(op.body) } } } } : {}),
    responses,
  };
}

/** The outgoing webhook body of `topic`: `{id, kind, sent_at, data}` with the topic's payload schema. */
function webhookObject(topic: string): Record<string, unknown> {
  return {
    post: {
      summary: `The ${topic} webhook`,
      description: 'Signed with X-Chameleon-Signature (hex HMAC-SHA256 of the raw body), or with Standard Webhooks headers on endpoints that ask for them.',
      requestBody: {
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['id', 'kind', 'sent_at', 'data'],
              properties: {
                id: { type: 'string', pattern: '^[0-9a-f]{24}$' },
                kind: { const: topic },
                sent_at: { type: 'string', format: 'date-time' },
                data: refTo(`topics/${topic}.json`),
              },
            },
          },
        },
      },
      responses: { '2XX': { description: 'Received (any 2xx); 410 disables the endpoint; anything else is retried' } },
    },
  };
}

/** The package version, from its package.json. */
function version(): string {
  const pkg = JSON.parse(readFileSync(`${SCHEMAS_DIR}../package.json`, 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Builds the document (no caching; see {@link openApiDocument}). */
export function buildOpenApiDocument(): Record<string, unknown> {
  const files = new Set<string>();
  for (const op of OPERATIONS) {
    for (const ref of [op.body, ...Object.values(op.responses)]) if (ref) files.add(ref.split('#')[0]!);
  }
  files.add('api/responses.json');
  for (const topic of TOPICS) files.add(`topics/${topic}.json`);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'chameleon-hooks',
      version: version(),
      description: 'The HTTP API of chameleon-hooks. Paths are relative to where the host mounts the package.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/', description: 'The mount path' }],
    security: [{ accountSecretHeader: [] }, { accountSecretQuery: [] }],
    tags: ['Data in', 'Reading back', 'Endpoints and deliveries', 'Integrations', 'Meta'].map((name) => ({ name })),
    paths,
    webhooks: Object.fromEntries(TOPICS.map((topic) => [topic, webhookObject(topic)])),
    components: {
      securitySchemes: {
        accountSecretHeader: { type: 'apiKey', in: 'header', name: 'X-Account-Secret' },
        accountSecretQuery: { type: 'apiKey', in: 'query', name: 'account_secret' },
      },
      schemas: bundleSchemas([...files]),
    },
  };
}

let cached: string | undefined;

/** The document as JSON text, built once. */
export function openApiDocument(): string {
  cached ??= JSON.stringify(buildOpenApiDocument());
  return cached;
}
