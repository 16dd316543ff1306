// The `chameleon-hooks` CLI (lib/cli/), spawned as a real process against the real test database.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { chameleonHooks, type ChameleonHooks } from '../../lib/index.js';
import { useTestDb, type TestDb } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { loadFixture } from '../unit/topics/topic-fixtures.js';
import { until } from '../helpers/until.js';

const BIN = fileURLToPath(new URL('../../lib/cli/bin.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('chameleon-hooks CLI', () => {
  let db: TestDb;
  let receiver: Receiver;
  let hooks: ChameleonHooks;
  let config: string;
  let account: { id: string; secret: string; webhookSecret: string };

  /**
   * The test database's URI with a patient server selection (30 s instead of the package's 5 s): a CLI
   * process started on a loaded machine (the whole suite on two cores) may take longer to connect.
   */
  function patientUri(): string {
    const { uri } = db;
    const hasPath = uri.slice(uri.indexOf('//') + 2).includes('/');
    return `${uri}${uri.includes('?') ? '&' : hasPath ? '?' : '/?'}serverSelectionTimeoutMS=30000`;
  }

  /** Runs the binary with `args` against the test database (options from the --config file). */
  function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', BIN, ...args],
        { env: { ...process.env, MONGODB_URI: patientUri(), ...env }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }
  const withDb = (...args: string[]) => ['--db', db.dbName, '--config', config, ...args];

  beforeAll(async () => {
    db = await useTestDb('cli');
    receiver = await startReceiver();
    const options = { delivery: { allowHttp: true, allowPrivateNetworks: true, retrySchedule: [3_600_000], jitter: 0 } };
    config = join(mkdtempSync(join(tmpdir(), 'ch-cli-')), 'options.json');
    writeFileSync(config, JSON.stringify(options));
    hooks = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, ...options });
    express().use(hooks);
    await hooks.ready();
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('should answer usage errors with exit code 2', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    const missing = await cli(withDb('endpoints', 'list'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--account <id>'");
    const badConfig = await cli(['--config', '/nonexistent/options.json', 'doctor']);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('Cannot read the options file');
    expect((await cli(['--help'])).code).toBe(0);
  }, 120_000);

  it('should create an account and show its secrets once, then list accounts without them', async () => {
    const created = await cli(withDb('--json', 'accounts', 'create', '--name', 'Acme CLI'));
    expect(created.code).toBe(0);
    account = JSON.parse(created.stdout).account;
    expect(account.secret).toMatch(/^acct_/);
    expect(account.webhookSecret).toMatch(/^whsec_/);
    const list = await cli(withDb('accounts', 'list'));
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME/m);
    expect(list.stdout).toContain(account.id);
    expect(list.stdout).not.toContain(account.secret);
    expect(list.stdout).not.toContain(account.webhookSecret);
  }, 120_000);

  it('should enable an endpoint its receiver disabled with a 410', async () => {
    const gone = await startReceiver(() => ({ status: 410, body: 'gone' }));
    try {
      const created = await hooks.endpoints.create(account.id, { url: gone.url, topics: ['ping'] });
      const id = String(created.id);
      const stateOf = async () => (await hooks.endpoints.list(account.id)).find((e) => e.id === id)?.state;
      for (let i = 0; i < 300 && (await stateOf()) !== 'disabled'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await stateOf()).toBe('disabled');
      const enabled = await cli(withDb('--json', 'endpoints', 'enable', id, '--account', account.id));
      expect(enabled.code).toBe(0);
      expect(JSON.parse(enabled.stdout).webhook).toMatchObject({ id, state: 'enabled' });
      expect(await stateOf()).toBe('enabled');
      const unknown = await cli(withDb('endpoints', 'enable', 'f'.repeat(24), '--account', account.id));
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('No webhook endpoint');
      await hooks.endpoints.delete(account.id, id);
    } finally {
      await gone.close();
    }
  }, 120_000);

  it('should create, list and ping endpoints, never printing a secret', async () => {
    const created = await cli(withDb('--json', 'endpoints', 'create', '--account', account.id, '--url', receiver.url, '--topics', 'tour.started,ping', '--signature', 'both'));
    expect(created.code).toBe(0);
    const endpoint = JSON.parse(created.stdout).webhook;
    expect(endpoint).toMatchObject({ url: receiver.url, topics: ['tour.started', 'ping'], signature: 'both' });
    const list = await cli(withDb('endpoints', 'list', '--account', account.id));
    expect(list.stdout).toMatch(/^ID\s+NAME\s+URL\s+SIGNATURE/m);
    expect(list.stdout).toContain(endpoint.id);
    const ping = await cli(withDb('endpoints', 'ping', endpoint.id, '--account', account.id));
    expect(ping.code).toBe(0);
    expect(ping.stdout).toMatch(/state\s+succeeded/);
    for (const out of [created.stdout, list.stdout, ping.stdout]) expect(out).not.toContain(account.webhookSecret);
    const unknown = await cli(withDb('endpoints', 'list', '--account', 'nobody'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No account with id nobody');
  }, 120_000);

  it('should create an endpoint with --ordering profile and show it, and refuse a bad ordering with a clear error, exit 1 and nothing stored', async () => {
    const created = await cli(withDb('--json', 'endpoints', 'create', '--account', account.id, '--url', `${receiver.url}ordered`, '--topics', 'tour.started', '--ordering', 'profile'));
    expect(created.code).toBe(0);
    const endpoint = JSON.parse(created.stdout).webhook;
    expect(endpoint).toMatchObject({ url: `${receiver.url}ordered`, ordering: 'profile' });
    expect((await hooks.endpoints.list(account.id)).find((e) => e.id === endpoint.id)?.ordering).toBe('profile');
    const list = await cli(withDb('endpoints', 'list', '--account', account.id));
    expect(list.stdout).toMatch(/^ID\s+NAME\s+URL\s+SIGNATURE\s+ORDERING/m);
    expect(list.stdout.split('\n').find((line) => line.startsWith(endpoint.id))).toMatch(/\sprofile\s/);
    const before = (await hooks.endpoints.list(account.id)).length;
    for (const bad of ['fifo', 'PROFILE', '{"$ne":"none"}']) {
      const refused = await cli(withDb('endpoints', 'create', '--account', account.id, '--url', `${receiver.url}bad`, '--topics', 'tour.started', '--ordering', bad));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('`ordering` must be one of none, profile');
      expect(refused.stderr).not.toMatch(/at .*\(|node_modules/);
      expect(refused.stdout).toBe('');
    }
    const missing = await cli(withDb('endpoints', 'create', '--account', account.id, '--url', `${receiver.url}bad`, '--topics', 'tour.started', '--ordering'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("option '--ordering <ordering>' argument missing");
    expect((await hooks.endpoints.list(account.id)).length).toBe(before);
    await hooks.endpoints.delete(account.id, endpoint.id);
  }, 120_000);

  it('should list, show and retry deliveries with filters, and replay an endpoint', async () => {
    receiver.setHandler(() => ({ status: 500 }));
    const { id: webhookId } = await hooks.publish(account.id, 'tour.started', loadFixture('tour.started').data as never);
    for (let i = 0; i < 200 && (await hooks.deliveries.list(account.id, { state: 'pending', topic: 'tour.started' })).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const list = await cli(withDb('--json', 'deliveries', 'list', '--account', account.id, '--state', 'pending', '--topic', 'tour.started'));
    expect(list.code).toBe(0);
    const [delivery] = JSON.parse(list.stdout).deliveries;
    expect(delivery).toMatchObject({ webhook_id: webhookId, state: 'pending', attempts_count: 1, last_status: 500 });
    const none = await cli(withDb('--json', 'deliveries', 'list', '--account', account.id, '--topic', 'survey.started'));
    expect(JSON.parse(none.stdout).deliveries).toEqual([]);
    const badState = await cli(withDb('deliveries', 'list', '--account', account.id, '--state', 'lost'));
    expect(badState.code).toBe(1);
    const shown = await cli(withDb('deliveries', 'show', delivery.id, '--account', account.id));
    expect(shown.stdout).toMatch(/state\s+pending/);
    expect(shown.stdout).toMatch(/^AT\s+STATUS/m);
    expect(shown.stdout).not.toContain(account.webhookSecret);
    receiver.setHandler(() => ({ status: 200 }));
    const retried = await cli(withDb('deliveries', 'retry', delivery.id, '--account', account.id));
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/state\s+succeeded/);
    const endpointId = delivery.endpoint_id as string;
    const before = (await hooks.deliveries.list(account.id, { endpoint: endpointId, limit: 500 })).length;
    const replay = await cli(withDb('--json', 'replay', endpointId, '--account', account.id, '--since', new Date(Date.now() - 3_600_000).toISOString()));
    expect(replay.code).toBe(0);
    const replayed = JSON.parse(replay.stdout).replay.deliveries as number;
    expect(replayed).toBeGreaterThanOrEqual(2); // the tour.started webhook and the pings stored so far
    expect((await hooks.deliveries.list(account.id, { endpoint: endpointId, limit: 500 })).length).toBe(before + replayed);
  }, 180_000);

  it('should follow new deliveries and attempts live with tail, and stop on SIGINT', async () => {
    receiver.setHandler(() => ({ status: 200 }));
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...withDb('--json', 'tail', '--account', account.id, '--interval', '200', '--for', '110')], {
      env: { ...process.env, MONGODB_URI: patientUri() },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // It says on stderr when it follows; from then on a change is shown.
      await until(() => stderr.includes(`Following deliveries of ${account.id}`), 60_000, 'the tail to start');
      const { id: webhookId } = await hooks.publish(account.id, 'tour.started', loadFixture('tour.started').data as never);
      const delivery = await until(async () => (await hooks.deliveries.list(account.id, { topic: 'tour.started', limit: 10 })).find((d) => d.webhook_id === webhookId && d.state === 'succeeded'), 30_000, 'the delivery');
      const shown = () => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      await until(() => shown().some((l) => l.delivery === delivery.id && l.state === 'succeeded'), 30_000, 'the tail to show the delivery');
      expect(shown()).toContainEqual(expect.objectContaining({ delivery: delivery.id, kind: 'tour.started', state: 'succeeded', status: 200 }));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 120_000);

  it('should set and show the Customer.io integration with its keys masked', async () => {
    const none = await cli(withDb('integrations', 'customerio', 'show', '--account', account.id));
    expect(none.code).toBe(1);
    const set = await cli(withDb('--json', 'integrations', 'customerio', 'set', '--account', account.id, '--site-id', 'site-123', '--api-key', 'cio_api_key_secret_value', '--region', 'eu'));
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout).integration).toMatchObject({ site_id: 'site-123', region: 'eu' });
    const shown = await cli(withDb('integrations', 'customerio', 'show', '--account', account.id));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/site_id\s+site-123/);
    for (const out of [set.stdout, shown.stdout]) expect(out).not.toContain('cio_api_key_secret_value');
    const bad = await cli(withDb('integrations', 'customerio', 'set', '--account', account.id, '--step-seen', 'maybe'));
    expect(bad.code).toBe(2);
  }, 120_000);

  it('should check a deployment with doctor: OK on a ready database, exit 1 with a fix when unreachable', async () => {
    const ok = await cli(withDb('doctor'));
    expect(ok.stdout).toMatch(/^OK\s+database\s+reachable/m);
    expect(ok.stdout).toMatch(/^OK\s+indexes\s+every index present/m);
    expect(ok.stdout).toMatch(/^(OK|FAIL)\s+clock/m);
    const json = JSON.parse((await cli(withDb('--json', 'doctor'))).stdout);
    expect(json.checks.map((c: { name: string }) => c.name)).toEqual(['database', 'indexes', 'agenda locks', 'pending', 'due', 'clock']);
    expect(ok.code).toBe(json.ok ? 0 : 1);
    const fresh = await cli(['--db', `${db.dbName}_empty`, 'doctor']);
    expect(fresh.code).toBe(1);
    expect(fresh.stdout).toMatch(/^FAIL\s+indexes\s+\d+ missing .*: start the package once/m);
    const port = await freePort();
    const down = await cli(['--uri', `mongodb://127.0.0.1:${port}/?serverSelectionTimeoutMS=500`, 'doctor']);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^FAIL\s+database\s+unreachable/m);
  }, 180_000);
});
