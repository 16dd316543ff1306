/**
 * The table of every HTTP operation of the package, from which the OpenAPI document is built: path
 * (OpenAPI form, relative to the mount path), method, request body schema, success answers, and
 * parameters. Schemas are named by their file under `schemas/` and a JSON pointer inside it.
 * A test checks that every route of the router is in this table, and nothing else is.
 */

/** A schema: a file under `schemas/`, optionally with a pointer (`api/responses.json#/definitions/profile`). */
export type SchemaRef = string;

/** One query or path parameter. */
export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  description?: string;
  schema: Record<string, unknown>;
}

/** One operation. */
export interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  tag: 'Data in' | 'Reading back' | 'Endpoints and deliveries' | 'Integrations' | 'Meta';
  /** The request body schema (JSON). */
  body?: SchemaRef;
  /** Success answers: status → schema. */
  responses: Record<number, SchemaRef>;
  parameters?: Parameter[];
  /** `false` for routes without the account secret (the document itself). */
  auth?: boolean;
  /**
   * OpenAPI links from a success answer: the operations that take an id it returns (by operationId),
   * with the JSON pointer of that id in its body. Clients and Schemathesis's stateful phase follow them.
   */
  links?: { status: number; from: string; to: readonly string[] };
}

const R = 'api/responses.json#/definitions/';
const Q = 'api/requests.json#/definitions/';
const objectId = { type: 'string', pattern: '^[0-9a-fA-F]{24}$' };
const idParam = (what: string): Parameter => ({ name: 'id', in: 'path', required: true, description: `The ${what}'s 24-hex id`, schema: objectId });
const page: Parameter[] = [
  { name: 'limit', in: 'query', description: 'Page size, 1–500 (default 50)', schema: { type: 'integer', minimum: 1, maximum: 500 } },
  { name: 'before', in: 'query', description: 'The `cursor.before` of the previous page', schema: { type: 'string', pattern: '^\\d{1,15}_[0-9a-f]{24}$' } },
];
/**
 * The query parameters of a lookup by `id` (24-hex), `uid` or `email`: one of them is needed (the
 * first present wins, in this order), which OpenAPI cannot say of query parameters.
 */
function lookupParams(what: string, names: ReadonlyArray<'id' | 'uid' | 'email'>): Parameter[] {
  const schemas = { id: objectId, uid: { type: 'string', minLength: 1 }, email: { type: 'string', minLength: 1 } };
  const about = { id: `The ${what}'s 24-hex id`, uid: `The ${what}'s uid`, email: `The ${what}'s email` };
  return names.map((name) => ({ name, in: 'query' as const, description: about[name], schema: schemas[name] }));
}
const secretParam: Parameter = { name: 'account_secret', in: 'path', required: true, description: 'The account secret', schema: { type: 'string', minLength: 1 } };

/** The five data-in routes, each with the secret in the path and without it. */
const dataIn: Array<[string, string, SchemaRef, number, SchemaRef]> = [
  ['profiles', 'Create or update one user profile', 'incoming/profile.json', 200, `${R}profileWritten`],
  ['profiles/batch', 'Create or update profiles in a batch', 'incoming/profiles-batch.json', 202, `${R}batchAccepted`],
  ['companies', 'Create or update one company', 'incoming/company.json', 200, `${R}companyWritten`],
  ['companies/batch', 'Create or update companies in a batch', 'incoming/companies-batch.json', 202, `${R}batchAccepted`],
  ['events', 'Track one event for a user', 'incoming/event.json', 200, `${R}eventWritten`],
  ['customerio', 'Receive a Customer.io reporting webhook (stored once per event_id)', `${Q}customerioReport`, 200, `${R}customerioReport`],
];

/** The links from a data-in answer to reading back what it wrote. */
function dataInLinks(path: string, status: number): Pick<Operation, 'links'> {
  if (path.endsWith('/batch')) return { links: { status, from: '/batch/id', to: ['getBatch'] } };
  if (path === 'profiles') return { links: { status, from: '/profile/id', to: ['getProfile', 'listProfileEvents'] } };
  if (path === 'companies') return { links: { status, from: '/company/id', to: ['getCompany'] } };
  return {};
}

const camel = (path: string): string => path.replace(/[/_](\w)/g, (_m, c: string) => c.toUpperCase());

/** Every operation of the package's HTTP API. */
export const OPERATIONS: readonly Operation[] = [
  ...dataIn.flatMap(([path, summary, body, status, response]): Operation[] => [
    { method: 'post', path: `/v3/observe/hooks/${path}`, operationId: `post${camel(`/${path}`)}`, summary: `${summary} (secret in a header or parameter)`, tag: 'Data in', body, responses: { [status]: response }, ...dataInLinks(path, status) },
    {
      method: 'post',
      path: `/v3/observe/hooks/{account_secret}/${path}`,
      operationId: `post${camel(`/${path}`)}WithSecretInPath`,
      summary,
      tag: 'Data in',
      body,
      responses: { [status]: response },
      parameters: [secretParam],
      auth: false,
      ...dataInLinks(path, status),
    },
  ]),
  { method: 'get', path: '/v3/observe/batches/{id}', operationId: 'getBatch', summary: "A batch's state and progress", tag: 'Data in', responses: { 200: `${R}batch` }, parameters: [idParam('batch')] },
  {
    method: 'get',
    path: '/v3/observe/hooks/{account_secret}/batches/{id}',
    operationId: 'getBatchWithSecretInPath',
    summary: "A batch's state and progress",
    tag: 'Data in',
    responses: { 200: `${R}batch` },
    parameters: [secretParam, idParam('batch')],
    auth: false,
  },
  { method: 'get', path: '/v3/analyze/profiles/{id}', operationId: 'getProfile', summary: 'One profile by id', tag: 'Reading back', responses: { 200: `${R}profile` }, parameters: [idParam('profile')], links: { status: 200, from: '/profile/id', to: ['listProfileEvents'] } },
  {
    method: 'get',
    path: '/v3/analyze/profile',
    operationId: 'findProfile',
    summary: 'One profile by uid, email or id (pass one; `id` wins, then `uid`)',
    tag: 'Reading back',
    responses: { 200: `${R}profile` },
    parameters: lookupParams('profile', ['id', 'uid', 'email']),
    links: { status: 200, from: '/profile/id', to: ['getProfile', 'listProfileEvents'] },
  },
  { method: 'get', path: '/v3/analyze/profiles/{id}/events', operationId: 'listProfileEvents', summary: "A profile's events, newest first", tag: 'Reading back', responses: { 200: `${R}events` }, parameters: [idParam('profile'), ...page] },
  { method: 'get', path: '/v3/analyze/companies/{id}', operationId: 'getCompany', summary: 'One company by id', tag: 'Reading back', responses: { 200: `${R}company` }, parameters: [idParam('company')] },
  {
    method: 'get',
    path: '/v3/analyze/company',
    operationId: 'findCompany',
    summary: 'One company by uid or id (pass one; `id` wins)',
    tag: 'Reading back',
    responses: { 200: `${R}company` },
    parameters: lookupParams('company', ['id', 'uid']),
    links: { status: 200, from: '/company/id', to: ['getCompany'] },
  },
  {
    method: 'get',
    path: '/v3/edit/properties',
    operationId: 'listProperties',
    summary: 'The property catalogue with its data warnings',
    tag: 'Reading back',
    responses: { 200: `${R}properties` },
    parameters: [{ name: 'kind', in: 'query', schema: { enum: ['profile', 'company', 'event'] } }],
  },
  { method: 'get', path: '/v3/edit/event_names', operationId: 'listEventNames', summary: 'The event-name catalogue', tag: 'Reading back', responses: { 200: `${R}eventNames` } },
  {
    method: 'get',
    path: '/v3/edit/webhooks',
    operationId: 'listEndpoints',
    summary: "The account's endpoints, with health",
    tag: 'Endpoints and deliveries',
    responses: { 200: `${R}webhooks` },
    links: { status: 200, from: '/webhooks/0/id', to: ['getEndpoint', 'listDeliveries', 'pingEndpoint', 'replayEndpoint'] },
  },
  { method: 'post', path: '/v3/edit/webhooks', operationId: 'createEndpoint', summary: 'Create an endpoint (it is sent a ping)', tag: 'Endpoints and deliveries', body: `${Q}endpointCreate`, responses: { 201: `${R}webhook` }, links: { status: 201, from: '/webhook/id', to: ['getEndpoint', 'listDeliveries', 'pingEndpoint', 'replayEndpoint', 'deleteEndpoint'] } },
  {
    method: 'get',
    path: '/v3/edit/webhooks/{id}',
    operationId: 'getEndpoint',
    summary: 'One endpoint, with health',
    tag: 'Endpoints and deliveries',
    responses: { 200: `${R}webhook` },
    parameters: [idParam('endpoint')],
    links: { status: 200, from: '/webhook/id', to: ['listDeliveries', 'pingEndpoint'] },
  },
  { method: 'delete', path: '/v3/edit/webhooks/{id}', operationId: 'deleteEndpoint', summary: 'Delete an endpoint and cancel its pending deliveries', tag: 'Endpoints and deliveries', responses: { 200: `${R}webhook` }, parameters: [idParam('endpoint')] },
  {
    method: 'get',
    path: '/v3/edit/webhooks/{id}/deliveries',
    operationId: 'listDeliveries',
    summary: "An endpoint's deliveries, newest first, with their attempts",
    tag: 'Endpoints and deliveries',
    responses: { 200: `${R}deliveries` },
    parameters: [idParam('endpoint'), ...page, { name: 'state', in: 'query', schema: { enum: ['pending', 'sending', 'held', 'succeeded', 'failed', 'cancelled', 'skipped'] } }],
    links: { status: 200, from: '/deliveries/0/id', to: ['getDelivery', 'retryDelivery'] },
  },
  { method: 'post', path: '/v3/edit/webhooks/{id}/ping', operationId: 'pingEndpoint', summary: 'Send a ping and answer after the attempt', tag: 'Endpoints and deliveries', responses: { 200: `${R}ping` }, parameters: [idParam('endpoint')] },
  { method: 'post', path: '/v3/edit/webhooks/{id}/replay', operationId: 'replayEndpoint', summary: 'Resend every webhook since a time', tag: 'Endpoints and deliveries', body: `${Q}replay`, responses: { 202: `${R}replay` }, parameters: [idParam('endpoint')] },
  { method: 'get', path: '/v3/edit/deliveries/{id}', operationId: 'getDelivery', summary: 'One delivery with its attempts', tag: 'Endpoints and deliveries', responses: { 200: `${R}delivery` }, parameters: [idParam('delivery')], links: { status: 200, from: '/delivery/id', to: ['retryDelivery'] } },
  { method: 'post', path: '/v3/edit/deliveries/{id}/retry', operationId: 'retryDelivery', summary: 'Attempt one delivery again now', tag: 'Endpoints and deliveries', responses: { 200: `${R}delivery` }, parameters: [idParam('delivery')] },
  { method: 'put', path: '/v3/edit/integrations/customerio', operationId: 'setCustomerio', summary: 'Connect or reconfigure Customer.io', tag: 'Integrations', body: `${Q}customerioSet`, responses: { 200: `${R}integration` } },
  { method: 'get', path: '/v3/edit/integrations/customerio', operationId: 'getCustomerio', summary: 'The Customer.io integration (secrets masked)', tag: 'Integrations', responses: { 200: `${R}integration` } },
  {
    method: 'get',
    path: '/v3/edit/integrations/customerio/deliveries',
    operationId: 'listCustomerioDeliveries',
    summary: "The Customer.io integration's deliveries, newest first, with their attempts",
    tag: 'Integrations',
    responses: { 200: `${R}deliveries` },
    parameters: [...page, { name: 'state', in: 'query', schema: { enum: ['pending', 'sending', 'succeeded', 'failed', 'cancelled', 'skipped'] } }],
    links: { status: 200, from: '/deliveries/0/id', to: ['getDelivery', 'retryDelivery'] },
  },
  { method: 'post', path: '/v3/edit/integrations/customerio/replay', operationId: 'replayCustomerio', summary: 'Resend every activity since a time to Customer.io', tag: 'Integrations', body: `${Q}replay`, responses: { 202: `${R}replay` } },
  { method: 'delete', path: '/v3/edit/integrations/customerio', operationId: 'deleteCustomerio', summary: 'Disconnect Customer.io', tag: 'Integrations', responses: { 200: `${R}integration` } },
  { method: 'get', path: '/openapi.json', operationId: 'getOpenApi', summary: 'This document', tag: 'Meta', responses: { 200: 'api/openapi-document.json' }, auth: false },
];
