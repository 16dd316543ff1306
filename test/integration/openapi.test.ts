// The OpenAPI document (lib/openapi/): served at GET {mount}/openapi.json, complete (every route of the
// router is in it and nothing else), its schemas resolve, and real answers match them.
import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Router } from 'express';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';
import { OPERATIONS } from '../../lib/openapi/operations.js';
import { TOPICS } from '../../lib/topics/index.js';

const auth = { 'X-Account-Secret': ACCOUNT.secret };

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** Every `METHOD /path` of the package's router, in OpenAPI path form (`:id` → `{id}`). */
function routerOperations(router: Router): string[] {
  const out: string[] = [];
  for (const layer of (router as unknown as { stack: Layer[] }).stack) {
    if (!layer.route) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const path of paths) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') out.push(`${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`);
      }
    }
  }
  return out.sort();
}

describe('OpenAPI document', () => {
  let t: TestApp;
  // The document is JSON read back from the route: walked dynamically, as a client would.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: Record<string, any>;
  let ajv: Ajv2020;
  beforeAll(async () => {
    t = await createTestApp({}, '/chameleon');
    const res = await request(t.app).get('/chameleon/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ ...doc, $id: 'openapi.json' } as object);
  });

  /** Checks `body` against the success schema of `method path` for `status`. */
  function expectConforms(method: string, path: string, status: number, body: unknown): void {
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method} ${path} is documented`).toBeDefined();
    const schema = operation.responses[String(status)]?.content?.['application/json']?.schema;
    expect(schema, `${method} ${path} documents ${status}`).toBeDefined();
    const validate = ajv.compile({ $ref: `openapi.json${schema.$ref}` });
    expect(validate(body) ? [] : validate.errors).toEqual([]);
  }

  it('should be OpenAPI 3.1 with the package version, without authentication for the document', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('chameleon-hooks');
    expect(doc.paths['/openapi.json'].get.security).toEqual([]);
  });

  it('should document every route of the router, and no route the router lacks', () => {
    const documented = OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`).sort();
    expect(routerOperations(t.hooks)).toEqual(documented);
    expect(Object.values(doc.paths).flatMap((p) => Object.keys(p as object)).length).toBe(documented.length);
  });

  it('should resolve every $ref inside the document', () => {
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref' && typeof v === 'string') refs.push(v);
          else walk(v);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of new Set(refs)) {
      expect(ref.startsWith('#/'), ref).toBe(true);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      expect(target, ref).toBeDefined();
    }
  });

  it('should use the request schemas of schemas/incoming as they are', () => {
    expect(doc.paths['/v3/observe/hooks/profiles'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/incoming.profile' });
    expect(doc.components.schemas['incoming.profile'].properties.uid).toEqual({ $ref: '#/components/schemas/incoming.defs/definitions/uid' });
    expect(Object.keys(doc.webhooks)).toHaveLength(26);
  });

  it('should describe the real answers of the data-in, reading-back and management routes', async () => {
    const profile = await request(t.app).post('/chameleon/v3/observe/hooks/profiles').set(auth).send({ uid: 'oa-1', email: 'oa@example.com', plan: 'gold', company_uid: 'co-oa' }).expect(200);
    expectConforms('post', '/v3/observe/hooks/profiles', 200, profile.body);
    const batch = await request(t.app).post(`/chameleon/v3/observe/hooks/${ACCOUNT.secret}/profiles/batch`).send({ profiles: [{ uid: 'oa-2' }, { plan: 'x' }] }).expect(202);
    expectConforms('post', '/v3/observe/hooks/{account_secret}/profiles/batch', 202, batch.body);
    const shown = await request(t.app).get(`/chameleon/v3/observe/batches/${String(batch.body.batch.id)}`).set(auth).expect(200);
    expectConforms('get', '/v3/observe/batches/{id}', 200, shown.body);
    const event = await request(t.app).post('/chameleon/v3/observe/hooks/events').set(auth).send({ uid: 'oa-1', name: 'Signed Up' }).expect(200);
    expectConforms('post', '/v3/observe/hooks/events', 200, event.body);
    const id = profile.body.profile.id as string;
    expectConforms('get', '/v3/analyze/profiles/{id}', 200, (await request(t.app).get(`/chameleon/v3/analyze/profiles/${id}`).set(auth).expect(200)).body);
    expectConforms('get', '/v3/analyze/profiles/{id}/events', 200, (await request(t.app).get(`/chameleon/v3/analyze/profiles/${id}/events`).set(auth).expect(200)).body);
    expectConforms('get', '/v3/analyze/company', 200, (await request(t.app).get('/chameleon/v3/analyze/company?uid=co-oa').set(auth).expect(200)).body);
    await t.hooks.ready();
    await new Promise((r) => setTimeout(r, 120)); // the bookkeeping flush (flushIntervalMs 50)
    expectConforms('get', '/v3/edit/properties', 200, (await request(t.app).get('/chameleon/v3/edit/properties').set(auth).expect(200)).body);
    expectConforms('get', '/v3/edit/event_names', 200, (await request(t.app).get('/chameleon/v3/edit/event_names').set(auth).expect(200)).body);
    expectConforms('get', '/v3/edit/webhooks', 200, (await request(t.app).get('/chameleon/v3/edit/webhooks').set(auth).expect(200)).body);
  });

  it('should link each answer that returns an id to the operations that take it, and the id pointer should resolve in a real answer', async () => {
    interface LinkObject { operationId: string; parameters: { id: string } }
    interface OperationObject { operationId: string; responses: Record<string, { links?: Record<string, LinkObject> }> }
    const byId = new Map<string, { path: string; method: string; op: OperationObject }>();
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, OperationObject>>)) {
      for (const [method, op] of Object.entries(methods)) byId.set(op.operationId, { path, method, op });
    }
    const links: Array<{ from: string; to: string; id: string }> = [];
    for (const { op } of byId.values()) {
      for (const answer of Object.values(op.responses)) {
        for (const [name, link] of Object.entries(answer.links ?? {})) links.push({ from: op.operationId, to: name, id: link.parameters.id });
      }
    }
    expect(links.length).toBeGreaterThanOrEqual(15);
    for (const link of links) {
      const target = byId.get(link.to);
      expect(target, `${link.from} → ${link.to}`).toBeDefined();
      expect(target!.path).toContain('{id}');
      expect(link.id).toMatch(/^\$response\.body#\/.+\/id$/);
    }
    // The pointers name where the ids really are.
    const at = (body: unknown, pointer: string): unknown => pointer.split('/').slice(1).reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], body);
    const profile = await request(t.app).post('/chameleon/v3/observe/hooks/profiles').set(auth).send({ uid: 'oa-link' }).expect(200);
    const fromProfile = links.find((l) => l.from === 'postProfiles')!;
    const profileId = at(profile.body, fromProfile.id.split('#')[1]!);
    expect(profileId).toMatch(/^[0-9a-f]{24}$/);
    await request(t.app).get(`/chameleon/v3/analyze/profiles/${String(profileId)}`).set(auth).expect(200);
    const batch = await request(t.app).post('/chameleon/v3/observe/hooks/profiles/batch').set(auth).send({ profiles: [{ uid: 'oa-link-2' }] }).expect(202);
    const batchId = at(batch.body, links.find((l) => l.from === 'postProfilesBatch')!.id.split('#')[1]!);
    await request(t.app).get(`/chameleon/v3/observe/batches/${String(batchId)}`).set(auth).expect(200);
  });

  it('should describe error answers with the {code, messages} schema', async () => {
    const missing = await request(t.app).get('/chameleon/v3/analyze/profiles/000000000000000000000000').set(auth).expect(404);
    expectConforms('get', '/v3/analyze/profiles/{id}', 404, missing.body);
    const forbidden = await request(t.app).get('/chameleon/v3/edit/webhooks').set('X-Account-Secret', 'nope-nope-nope-nope').expect(403);
    expectConforms('get', '/v3/edit/webhooks', 403, forbidden.body);
  });

  // Regression tests for Schemathesis findings (ST204: an undeclared method on a documented path answered 404).
  it.each([
    ['TRACE', '/v3/observe/hooks/profiles', 'POST'],
    ['GET', '/v3/observe/hooks/profiles/batch', 'POST'],
    ['PUT', '/v3/edit/webhooks', 'GET, HEAD, POST'],
    ['PATCH', '/v3/edit/integrations/customerio', 'DELETE, GET, HEAD, PUT'],
    ['DELETE', '/v3/edit/deliveries/0123456789abcdef01234567', 'GET, HEAD'],
    ['POST', '/v3/edit/event_names', 'GET, HEAD'],
    ['DELETE', '/openapi.json', 'GET, HEAD'],
  ])('should answer %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const res = await request(t.app)[method.toLowerCase() as 'get'](`/chameleon${path}`).set(auth).expect(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.body).toEqual({ code: 405, messages: [`${method} is not allowed here; allowed: ${allow}`] });
  });

  // Regression test for a Schemathesis finding (ST201): the reporting webhook takes any JSON object (it answers
  // at once, to keep Customer.io's queue moving), so its documented body may not require field types.
  it('should document the Customer.io reporting body as the route takes it', () => {
    const schema = doc.paths['/v3/observe/hooks/customerio'].post.requestBody.content['application/json'].schema;
    const validate = ajv.compile({ $ref: `openapi.json${schema.$ref}` });
    expect(validate({ event_id: '', object_type: '', metric: '', timestamp: 0, data: [null, null] })).toBe(true);
    expect(validate([])).toBe(false);
  });

  /** The documented request body schema of `method path`, compiled. */
  function bodySchema(method: string, path: string) {
    const schema = doc.paths[path][method].requestBody.content['application/json'].schema;
    return ajv.compile({ $ref: `openapi.json${schema.$ref}` });
  }

  it('should document the topic names the API takes, as TOPICS', () => {
    const requests = doc.components.schemas['api.requests'].definitions;
    expect(requests.topic.enum).toEqual([...TOPICS]);
    expect(requests.forwardableTopic.enum).toEqual(TOPICS.filter((t) => t !== 'ping'));
    const create = bodySchema('post', '/v3/edit/webhooks');
    for (const topics of ['ping', ' tour.started , ping ', TOPICS.join(','), ['survey.completed', 'ping']]) expect(create({ url: 'https://example.com/h', topics })).toBe(true);
    for (const topics of ['', 'ping,', 'tour', 'tour.started;ping', ['tour'], []]) expect(create({ url: 'https://example.com/h', topics })).toBe(false);
  });

  // Regression tests for Schemathesis's "mostly rejected generated data": the documented constraints are
  // tighter now, and each body or parameter they refuse must be refused by the API as well (a 4xx).
  it.each([
    ['an empty url', 'post', '/v3/edit/webhooks', { url: '', topics: ['ping'] }],
    ['an unknown topic', 'post', '/v3/edit/webhooks', { url: 'https://example.com/h', topics: ['tour.begun'] }],
    ['a comma-separated list with an unknown topic', 'post', '/v3/edit/webhooks', { url: 'https://example.com/h', topics: 'ping,tour' }],
    ['a since that is no date', 'post', '/v3/edit/integrations/customerio/replay', { since: 'yesterday' }],
    ['no site_id', 'put', '/v3/edit/integrations/customerio', { api_key: 'k' }],
    ['a site_id with a colon', 'put', '/v3/edit/integrations/customerio', { site_id: 'a:b', api_key: 'k' }],
    ['an unknown setting', 'put', '/v3/edit/integrations/customerio', { site_id: 'site', api_key: 'k', colour: 'blue' }],
    ['an empty api_key', 'put', '/v3/edit/integrations/customerio', { site_id: 'site', api_key: '' }],
    ['an api_key with a control character', 'put', '/v3/edit/integrations/customerio', { site_id: 'site', api_key: 'k\u0007' }],
    ['an api_key over 256 characters', 'put', '/v3/edit/integrations/customerio', { site_id: 'site', api_key: 'k'.repeat(257) }],
    ['ping in the events map', 'put', '/v3/edit/integrations/customerio', { site_id: 'site', api_key: 'k', events: { ping: 'Pinged' } }],
    ['a blank event name', 'put', '/v3/edit/integrations/customerio', { site_id: 'site', api_key: 'k', events: { 'survey.completed': '   ' } }],
    ['an event name over 100 characters', 'put', '/v3/edit/integrations/customerio', { site_id: 'site', api_key: 'k', events: { 'survey.completed': 'e'.repeat(101) } }],
    ['rate_limit 0', 'put', '/v3/edit/integrations/customerio', { site_id: 'site', api_key: 'k', rate_limit: 0 }],
  ])('should refuse %s, which the documented body refuses', async (_name, method, path, body) => {
    expect(bodySchema(method, path)(body)).toBe(false);
    const res = await request(t.app)[method as 'post'](`/chameleon${path}`).set(auth).send(body);
    expect(res.status).toBe(422);
  });

  it('should accept a Customer.io body at the edges of what the documented body allows (nulls, the secret in the body)', async () => {
    const body = { site_id: 'site.1_a-b', api_key: 'k'.repeat(256), region: null, identifier: null, step_seen: null, previews: null, events: { 'survey.completed': 'Survey Done' }, rate_limit: null, webhook_signing_key: null, track_url: null, account_secret: ACCOUNT.secret };
    expect(bodySchema('put', '/v3/edit/integrations/customerio')(body)).toBe(true);
    const res = await request(t.app).put('/chameleon/v3/edit/integrations/customerio').send(body).expect(200);
    expect(res.body.integration).toMatchObject({ site_id: 'site.1_a-b', region: 'us', identifier: 'uid' });
    await request(t.app).delete('/chameleon/v3/edit/integrations/customerio').set(auth).expect(200);
  });

  it.each([
    ['an empty before', '/v3/analyze/profiles/000000000000000000000000/events?before='],
    ['a before that is no cursor', '/v3/edit/webhooks/000000000000000000000000/deliveries?before=abc'],
    ['a lookup with only an empty uid', '/v3/analyze/profile?uid='],
    ['a company lookup with only an empty uid', '/v3/analyze/company?uid='],
  ])('should refuse query parameters the document refuses (%s) with a 4xx', async (_name, path) => {
    const res = await request(t.app).get(`/chameleon${path}`).set(auth);
    expect([404, 422]).toContain(res.status);
  });

  it('should link a profile or company found by uid, an endpoint listed and a delivery read to the operations that take their ids', () => {
    const linked = (operationId: string) => {
      const op = OPERATIONS.find((o) => o.operationId === operationId)!;
      return Object.keys(doc.paths[op.path][op.method].responses['200'].links ?? {});
    };
    expect(linked('findProfile')).toEqual(['getProfile', 'listProfileEvents']);
    expect(linked('findCompany')).toEqual(['getCompany']);
    expect(linked('listEndpoints')).toEqual(['getEndpoint', 'listDeliveries', 'pingEndpoint', 'replayEndpoint']);
    expect(linked('getDelivery')).toEqual(['retryDelivery']);
  });

  it('should still answer 404 for unknown paths and let OPTIONS list the methods', async () => {
    await request(t.app).trace('/chameleon/v3/nothing').set(auth).expect(404);
    const options = await request(t.app).options('/chameleon/v3/edit/webhooks');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, POST');
  });
});
