// The dashboard's access rules and browser defences, over HTTP: authorize, roles, account
// switching, CSP and other headers, CSRF/origin checks, mount paths and hostile parameters.
import { describe, it, expect, beforeAll } from 'vitest';
import express from 'express';
import request from 'supertest';
import { ACCOUNT, OTHER_ACCOUNT, createTestApp, type TestApp } from '../helpers/app.js';
import { InvalidOptionError, type DashboardGrant } from '../../lib/index.js';
import { userHeader } from './support/dashboard-app.js';

let test: TestApp;
let app: express.Express;
const MOUNT = '/admin/hooks';

function authorize(req: express.Request): DashboardGrant | null {
  const value = req.headers['x-test-user'];
  if (typeof value !== 'string') return null;
  const [role, accountId, all] = value.split(':') as ['admin' | 'viewer', string, string | undefined];
  return { accountId, role, ...(all === 'all' ? { accounts: 'all' as const } : {}) };
}

const admin = userHeader('admin', ACCOUNT.id);
const viewer = userHeader('viewer', ACCOUNT.id);
const action = { 'x-chameleon-dashboard': '1', 'content-type': 'application/json' };

beforeAll(async () => {
  test = await createTestApp({}, '/chameleon');
  app = test.app;
  app.use(MOUNT, test.hooks.dashboard({ authorize }));
  app.use('/framed', test.hooks.dashboard({ authorize, frameAncestors: ["'self'", 'https://admin.example.com'] }));
  app.use('/async', test.hooks.dashboard({ authorize: async (req) => authorize(req) }));
  await request(app).post(`/chameleon/v3/observe/hooks/${OTHER_ACCOUNT.secret}/profiles`).send({ uid: 'globex-only', secret_plan: 'platinum' }).expect(200);
});

describe('hooks.dashboard(options)', () => {
  it.each([
    ['no options', undefined],
    ['no authorize', {}],
    ['authorize not a function', { authorize: 'yes' }],
  ])('should throw without a usable authorize (%s): there is no open dashboard', (_name, options) => {
    expect(() => test.hooks.dashboard(options as never)).toThrow(InvalidOptionError);
  });

  it.each([
    [[]],
    [["'self'; script-src *"]],
    [["'none'", "'self'"]],
    [['javascript:alert(1)']],
  ])('should refuse frameAncestors %j', (frameAncestors) => {
    expect(() => test.hooks.dashboard({ authorize, frameAncestors })).toThrow(/dashboard\.frameAncestors/);
  });

  it('should refuse a pageSize out of range', () => {
    expect(() => test.hooks.dashboard({ authorize, pageSize: 0 })).toThrow(/dashboard\.pageSize/);
  });
});

describe('authorize', () => {
  it.each(['/', '/data', '/deliveries/0123', '/api/session', '/api/properties'])('should answer 401 for %s when authorize returns null', async (path) => {
    const res = await request(app).get(`${MOUNT}${path}`).set('accept', 'application/json');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 401, messages: [expect.any(String)] });
  });

  it('should answer a refused page in plain text, never HTML', async () => {
    const res = await request(app).get(`${MOUNT}/data`).set('accept', 'text/html');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('should accept an async authorize', async () => {
    await request(app).get('/async/api/session').set(admin).expect(200);
    await request(app).get('/async/api/session').expect(401);
  });

});

describe('an authorize that returns a malformed grant', () => {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  const capture = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  const bad = express();
  const SECRET = 'sess_s3cr3t_value';
  const throwingGetter = { accountId: ACCOUNT.id, get role(): string { throw new Error(`lookup failed ${SECRET}`); } };
  const MALFORMED: Array<[string, unknown, RegExp]> = [
    ['a number', 42, /not number/],
    ['a string', `admin:${SECRET}`, /not string/],
    ['true', true, /not boolean/],
    ['false', false, /not boolean/],
    ['zero', 0, /not number/],
    ['an empty string', '', /not string/],
    ['an array', [{ accountId: ACCOUNT.id, role: 'admin' }], /not an array/],
    ['an empty object', {}, /accountId/],
    ['a numeric accountId', { accountId: 1, role: 'admin' }, /accountId/],
    ['an empty accountId', { accountId: '', role: 'admin' }, /accountId/],
    ['an unknown role', { accountId: ACCOUNT.id, role: 'superuser', token: SECRET }, /role/],
    ['a role in capitals', { accountId: ACCOUNT.id, role: 'Admin' }, /role/],
    ['no role', { accountId: ACCOUNT.id }, /role/],
    ['accounts that is not "all"', { accountId: ACCOUNT.id, role: 'admin', accounts: true }, /accounts/],
    ['accounts as an operator', { accountId: ACCOUNT.id, role: 'admin', accounts: { $ne: null } }, /accounts/],
    ['a getter that throws', throwingGetter, /threw/],
  ];

  beforeAll(async () => {
    const own = await createTestApp({ logger: { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') } });
    MALFORMED.forEach(([, value], i) => {
      bad.use(`/sync${i}`, own.hooks.dashboard({ authorize: () => value as never }));
      bad.use(`/async${i}`, own.hooks.dashboard({ authorize: async () => value as never }));
    });
  });

  it.each(MALFORMED.map(([name, , problem], i) => [name, i, problem] as const))('should answer 503 CH_ERR_AUTHORIZE_FAILED for %s, log it at warn without its values, and never open the door', async (_name, i, problem) => {
    for (const mount of [`/sync${i}`, `/async${i}`]) {
      lines.length = 0;
      const api = await request(bad).get(`${mount}/api/session`).set('accept', 'application/json');
      expect(api.status).toBe(503);
      expect(api.body).toEqual({ code: 503, messages: [expect.stringMatching(/^The dashboard could not check who you are \(authorize returned no valid grant/)] });
      const page = await request(bad).get(`${mount}/deliveries`).set('accept', 'text/html');
      expect(page.status).toBe(503);
      expect(page.type).toBe('text/plain');
      expect(page.text).toMatch(/^503 The dashboard could not check who you are/);
      const act = await request(bad).post(`${mount}/api/endpoints`).set(action).send({ url: 'https://example.com/hook' });
      expect(act.status).toBe(503);
      for (const res of [api, page, act]) expect(res.text).not.toMatch(new RegExp(`${SECRET}|superuser|at .*\\(`));
      const logged = lines.filter((l) => l.msg?.includes('returned an invalid grant'));
      expect(logged.map((l) => l.level)).toEqual(['warn', 'warn', 'warn']);
      expect(String(logged[0]!.obj.problem)).toMatch(problem);
      expect(logged[0]!.obj).toMatchObject({ method: 'GET', path: '/api/session', got: { type: expect.any(String) } });
      expect(JSON.stringify(lines)).not.toContain(SECRET);
    }
  });

  it('should log an object grant by its key names only', async () => {
    lines.length = 0;
    const i = MALFORMED.findIndex(([name]) => name === 'an unknown role');
    await request(bad).get(`/sync${i}/api/session`).expect(503);
    expect(lines[0]!.obj.got).toEqual({ type: 'object', keys: ['accountId', 'role', 'token'] });
  });

  it('should still take a well-formed grant returned as a class instance with getters, or with a null prototype', async () => {
    class Session {
      get accountId(): string { return ACCOUNT.id; }
      get role(): 'viewer' { return 'viewer'; }
    }
    const own = express();
    own.use('/class', test.hooks.dashboard({ authorize: () => new Session() }));
    own.use('/bare', test.hooks.dashboard({ authorize: () => Object.assign(Object.create(null) as object, { accountId: ACCOUNT.id, role: 'admin' as const }) }));
    expect((await request(own).get('/class/api/session').expect(200)).body).toMatchObject({ role: 'viewer' });
    expect((await request(own).get('/bare/api/session').expect(200)).body).toMatchObject({ role: 'admin' });
  });
});

describe('an authorize that throws or rejects', () => {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  const capture = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  const failing = express();
  const STACK_MARK = 'hostSessionLookupFrame';

  beforeAll(async () => {
    const own = await createTestApp({ logger: { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') } });
    const hostSessionLookupFrame = (): never => {
      throw new Error('session store down: password=hunter2 token: tok_abc123 Authorization: Bearer eyJsecret');
    };
    failing.use('/sync', own.hooks.dashboard({ authorize: () => hostSessionLookupFrame() }));
    failing.use('/async', own.hooks.dashboard({ authorize: async () => { await Promise.resolve(); return hostSessionLookupFrame(); } }));
    failing.use('/string', own.hooks.dashboard({ authorize: () => Promise.reject('cookie=sid_999 lost') }));
  });

  it.each(['/sync', '/async', '/string'])('should answer the API with 503 CH_ERR_AUTHORIZE_FAILED in {code, messages} (%s)', async (mount) => {
    const res = await request(failing).get(`${mount}/api/session`).set('accept', 'application/json');
    expect(res.status).toBe(503);
    expect(res.type).toBe('application/json');
    expect(res.body).toEqual({ code: 503, messages: [expect.stringMatching(/authorize failed/)] });
    expect(res.text).not.toMatch(/hunter2|tok_abc123|eyJsecret|sid_999|session store|at .*\(/);
  });

  it.each(['/sync', '/async'])('should refuse actions the same way, before any CSRF or admin check (%s)', async (mount) => {
    const res = await request(failing).post(`${mount}/api/endpoints`).set(action).send({ url: 'https://example.com/hook' });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe(503);
  });

  it.each(['/sync/', '/async/deliveries', '/string/data'])('should answer a page with a plain-text 503, no stack and no host message (%s)', async (path) => {
    const res = await request(failing).get(path).set('accept', 'text/html');
    expect(res.status).toBe(503);
    expect(res.type).toBe('text/plain');
    expect(res.text).toMatch(/^503 The dashboard could not check who you are/);
    expect(res.text).not.toContain(STACK_MARK);
    expect(res.text).not.toMatch(/hunter2|<html|session store/);
  });

  it('should log each failure once at warn, with the secrets redacted and the stack kept', async () => {
    lines.length = 0;
    await request(failing).get('/sync/api/session').expect(503);
    await request(failing).get('/string/api/session').expect(503);
    const failures = lines.filter((l) => l.msg?.includes('authorize() failed'));
    expect(failures.map((l) => l.level)).toEqual(['warn', 'warn']);
    const [thrown, rejected] = failures.map((l) => l.obj.err as { type: string; message: string; stack?: string });
    expect(thrown!.type).toBe('Error');
    expect(thrown!.message).toBe('session store down: password=[redacted] token: [redacted] Authorization: [redacted]');
    expect(thrown!.stack).toContain(STACK_MARK);
    expect(rejected).toEqual({ type: 'string', message: 'cookie=[redacted] lost' });
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|tok_abc123|eyJsecret|sid_999/);
    expect(failures[0]!.obj).toMatchObject({ method: 'GET', path: '/api/session' });
  });
});

describe('roles and accounts', () => {
  it('should tell the page who is looking', async () => {
    const res = await request(app).get(`${MOUNT}/api/session`).set(viewer).expect(200);
    expect(res.body).toEqual({ account: { id: ACCOUNT.id, name: ACCOUNT.name }, role: 'viewer', all_accounts: false, accounts: [{ id: ACCOUNT.id, name: ACCOUNT.name }] });
  });

  it('should refuse every action to a viewer (403), with the CSRF header and same origin', async () => {
    const res = await request(app).post(`${MOUNT}/api/endpoints`).set(viewer).set(action).send({ url: 'https://example.com/hook' });
    expect(res.status).toBe(403);
    expect(res.body.messages[0]).toMatch(/Viewers/);
  });

  it('should let an admin through to the route', async () => {
    const res = await request(app).post(`${MOUNT}/api/no-such-action`).set(admin).set(action).send({});
    expect(res.status).toBe(404);
  });

  it('should refuse another account without an all-accounts grant', async () => {
    const res = await request(app).get(`${MOUNT}/api/activity/profiles`).query({ account: OTHER_ACCOUNT.id }).set(admin);
    expect(res.status).toBe(403);
  });

  it('should let an operator with accounts: all switch, and show only that account', async () => {
    const operator = userHeader('viewer', ACCOUNT.id, true);
    const own = await request(app).get(`${MOUNT}/api/activity/profiles`).set(operator).expect(200);
    expect(JSON.stringify(own.body)).not.toContain('globex-only');
    const other = await request(app).get(`${MOUNT}/api/activity/profiles`).query({ account: OTHER_ACCOUNT.id }).set(operator).expect(200);
    expect(other.body.items.map((p: { uid: string }) => p.uid)).toEqual(['globex-only']);
    const session = await request(app).get(`${MOUNT}/api/session`).query({ account: OTHER_ACCOUNT.id }).set(operator).expect(200);
    expect(session.body.account.id).toBe(OTHER_ACCOUNT.id);
    expect(session.body.accounts.map((a: { id: string }) => a.id).sort()).toEqual([ACCOUNT.id, OTHER_ACCOUNT.id].sort());
  });

  it('should answer 404 for an account that does not exist, even to an operator', async () => {
    await request(app).get(`${MOUNT}/api/session`).query({ account: 'nobody' }).set(userHeader('admin', ACCOUNT.id, true)).expect(404);
  });

  it.each([['account[]=globex'], ['account[$ne]=x']])('should not be confused by a non-string account parameter (%s)', async (query) => {
    const res = await request(app).get(`${MOUNT}/api/session?${query}`).set(admin).expect(200);
    expect(res.body.account.id).toBe(ACCOUNT.id);
  });
});

describe('CSRF and cross-origin actions', () => {
  it('should refuse an action without the dashboard header (a cross-site form cannot set it)', async () => {
    const res = await request(app).post(`${MOUNT}/api/endpoints`).set(admin).type('form').send('url=https://evil.example/hook');
    expect(res.status).toBe(403);
    expect(res.body.messages[0]).toMatch(/x-chameleon-dashboard/);
  });

  it.each([
    [{ origin: 'https://evil.example' }],
    [{ origin: 'null' }],
    [{ 'sec-fetch-site': 'cross-site' }],
    [{ 'sec-fetch-site': 'same-site' }],
  ])('should refuse an action marked cross-origin %j', async (headers) => {
    const res = await request(app).post(`${MOUNT}/api/no-such-action`).set(admin).set(action).set(headers).send({});
    expect(res.status).toBe(403);
    expect(res.body.messages[0]).toMatch(/Cross-origin/);
  });

  it('should accept a same-origin action', async () => {
    const res = await request(app).post(`${MOUNT}/api/no-such-action`).set(admin).set(action).set('sec-fetch-site', 'same-origin').send({});
    expect(res.status).toBe(404);
  });
});

describe('headers', () => {
  it.each(['/', '/data', '/api/session', '/assets/app.js', '/assets/vendor/preact.js'])('should send a strict CSP and nosniff on %s', async (path) => {
    const res = await request(app).get(`${MOUNT}${path}`).set(admin);
    expect(res.status).toBe(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('should let the host choose who may frame it', async () => {
    const res = await request(app).get('/framed/').set(admin).expect(200);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self' https://admin.example.com");
    expect(res.headers['x-frame-options']).toBeUndefined();
  });

  it('should serve the page scripts as JavaScript, from the package', async () => {
    for (const file of ['app.js', 'lib.js', 'vendor/preact.js', 'vendor/hooks.js', 'vendor/htm.js']) {
      const res = await request(app).get(`${MOUNT}/assets/${file}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    }
    const hooks = await request(app).get(`${MOUNT}/assets/vendor/hooks.js`);
    expect(hooks.text).toContain('from"./preact.js"');
    await request(app).get(`${MOUNT}/assets/vendor/nothing.js`).set(admin).expect(404);
    await request(app).get(`${MOUNT}/assets/../../package.json`).set(admin).expect(404);
  });
});

describe('mounting', () => {
  it('should redirect the mount without its slash, so relative URLs resolve under it', async () => {
    const res = await request(app).get(MOUNT).set(admin).expect(302);
    expect(res.headers.location).toBe('hooks/');
  });

  it.each([
    ['/', './'],
    ['/data', './'],
    ['/data/', '../'],
    ['/deliveries/65a0c0ffee0123456789abcd', '../'],
  ])('should give %s a relative base of %s', async (path, base) => {
    const res = await request(app).get(`${MOUNT}${path}`).set(admin).expect(200);
    expect(res.text).toContain(`<base href="${base}">`);
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
  });

  it('should answer 404 for an unknown page', async () => {
    await request(app).get(`${MOUNT}/nothing-here`).set(admin).expect(404);
  });
});

describe('hostile parameters', () => {
  it.each([
    ['/api/properties?kind=profile&kind=event', 422],
    ['/api/properties?kind=secrets', 422],
    ['/api/properties?after=a&after=b', 422],
    ['/api/properties?limit=100000', 422],
    ['/api/activity/profiles?before=1&before=2', 422],
    ['/api/activity/profiles?before=1_zz', 422],
    ['/api/activity/passwords', 404],
    ['/api/activity/__proto__', 404],
  ])('should answer %s with %i and {code, messages}', async (path, status) => {
    const res = await request(app).get(`${MOUNT}${path}`).set(admin);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ code: status, messages: [expect.any(String)] });
  });
});
