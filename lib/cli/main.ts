/**
 * The `chameleon-hooks` command line (commander): accounts, endpoints, deliveries, replay and doctor,
 * against the database of `--uri`/`MONGODB_URI`, with the options file a host passes (`--config`).
 * Human tables by default, `--json` for scripts; exit codes 0 (ok), 1 (failure), 2 (usage).
 */
import { Command, CommanderError } from 'commander';
import { ChameleonError, InvalidOptionError } from '../errors.js';
import { configFrom, UsageError, withHooks, type GlobalFlags } from './context.js';
import { doctor } from './doctor.js';
import { details, EXIT, table, type Io } from './output.js';

const ENDPOINT_COLUMNS = ['id', 'name', 'url', 'signature', 'ordering', 'state', 'topics', 'last_item_state'];
const DELIVERY_COLUMNS = ['id', 'kind', 'state', 'attempts_count', 'last_status', 'next_attempt_at', 'created_at'];

/** Runs the CLI on `argv` (without the node and script paths); resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) }): Promise<number> {
  const program = new Command('chameleon-hooks');
  let code: number = EXIT.ok;
  program
    .description('Operate chameleon-hooks: accounts, endpoints, deliveries, replay, doctor')
    .option('--uri <uri>', 'MongoDB URI (default: MONGODB_URI)')
    .option('--db <name>', 'database name')
    .option('--config <file>', 'a JSON file with the options the host passes to chameleonHooks()')
    .option('--json', 'print JSON instead of tables')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t.trimEnd()), writeErr: (t) => io.err(t.trimEnd()) })
    .showHelpAfterError();
  const flags = (): GlobalFlags => program.opts<GlobalFlags>();
  const print = (json: unknown, human: () => string): void => io.out(flags().json ? JSON.stringify(json, null, 2) : human());

  const accounts = program.command('accounts').description('stored accounts');
  accounts.command('list').description('list accounts (never their secrets)').action(async () => {
    const list = await withHooks(flags(), (h) => h.accounts.list());
    print({ accounts: list }, () => table(list, ['id', 'name']));
  });
  accounts
    .command('create')
    .description('create a stored account and show its secrets, this once')
    .requiredOption('--name <name>', 'the account name')
    .action(async (o: { name: string }) => {
      const created = await withHooks(flags(), (h) => h.accounts.create({ name: o.name }));
      print({ account: created }, () => `${details({ ...created })}\n\nKeep these secrets now: they are not shown again.`);
    });
  accounts
    .command('rotate-secret <account>')
    .description("rotate an account's webhook secret and show the new one")
    .option('--grace-ms <ms>', 'how long the old secret keeps signing (default 24 h)')
    .action(async (account: string, o: { graceMs?: string }) => {
      const grace = o.graceMs === undefined ? undefined : Number(o.graceMs);
      if (grace !== undefined && !(Number.isInteger(grace) && grace >= 0)) throw new UsageError('--grace-ms must be a whole number of ms');
      const secret = await withHooks(flags(), (h) => h.accounts.rotateWebhookSecret(account, grace));
      print({ account, webhookSecret: secret }, () => details({ account, webhookSecret: secret }));
    });

  const endpoints = program.command('endpoints').description("an account's webhook endpoints");
  const accountOpt = (c: Command) => c.requiredOption('--account <id>', 'the account id');
  accountOpt(endpoints.command('list').description('list endpoints')).action(async (o: { account: string }) => {
    const list = await withHooks(flags(), (h) => h.endpoints.list(o.account));
    print({ webhooks: list }, () => table(list, ENDPOINT_COLUMNS));
  });
  accountOpt(endpoints.command('create').description('create an endpoint (it is sent a ping)'))
    .requiredOption('--url <url>', 'the https URL')
    .requiredOption('--topics <list>', 'comma-separated topics')
    .option('--name <name>', 'a name')
    .option('--signature <scheme>', 'chameleon, standard or both')
    .option('--ordering <ordering>', "none, or profile: each profile's deliveries in publish order")
    .action(async (o: { account: string; url: string; topics: string; name?: string; signature?: string; ordering?: string }) => {
      const created = await withHooks(flags(), (h) => h.endpoints.create(o.account, { url: o.url, topics: o.topics, name: o.name, signature: o.signature, ordering: o.ordering }));
      print({ webhook: created }, () => details(created));
    });
  accountOpt(endpoints.command('delete <endpoint>').description('delete an endpoint and cancel its pending deliveries')).action(async (endpoint: string, o: { account: string }) => {
    await withHooks(flags(), (h) => h.endpoints.delete(o.account, endpoint));
    print({ deleted: endpoint }, () => `Deleted ${endpoint}`);
  });
  accountOpt(endpoints.command('enable <endpoint>').description('enable a disabled endpoint (clears its failure run)')).action(async (endpoint: string, o: { account: string }) => {
    const enabled = await withHooks(flags(), (h) => h.endpoints.enable(o.account, endpoint));
    print({ webhook: enabled }, () => details(enabled));
  });
  accountOpt(endpoints.command('ping <endpoint>').description('send a ping and show the outcome')).action(async (endpoint: string, o: { account: string }) => {
    const ping = await withHooks(flags(), (h) => h.ping(o.account, endpoint));
    print({ ping }, () => details(ping));
    if (ping.state !== 'succeeded') code = EXIT.failure;
  });

  const deliveries = program.command('deliveries').description("an account's deliveries");
  accountOpt(deliveries.command('list').description('list deliveries, newest first'))
    .option('--endpoint <id>', 'only this endpoint')
    .option('--state <state>', 'pending, retrying, held, succeeded, failed, cancelled or skipped')
    .option('--topic <topic>', 'only this topic')
    .option('--since <time>', 'created since (ISO-8601 or unix seconds)')
    .option('--limit <n>', 'at most this many (1–500)', '50')
    .action(async (o: { account: string; endpoint?: string; state?: string; topic?: string; since?: string; limit: string }) => {
      const since = o.since !== undefined && /^\d+$/.test(o.since) ? Number(o.since) : o.since;
      const filter = { endpoint: o.endpoint, state: o.state, topic: o.topic, since, limit: Number(o.limit) };
      const list = await withHooks(flags(), (h) => h.deliveries.list(o.account, JSON.parse(JSON.stringify(filter)) as typeof filter));
      print({ deliveries: list }, () => table(list, DELIVERY_COLUMNS));
    });
  accountOpt(deliveries.command('show <delivery>').description('one delivery with its attempts')).action(async (id: string, o: { account: string }) => {
    const delivery = await withHooks(flags(), (h) => h.deliveries.get(o.account, id));
    print({ delivery }, () => {
      const { attempts, ...rest } = delivery as { attempts: Array<Record<string, unknown>> };
      return `${details(rest)}\n\nattempts:\n${table(attempts, ['at', 'status', 'duration_ms', 'error_kind', 'trigger', 'by'])}`;
    });
  });
  accountOpt(deliveries.command('retry <delivery>').description('attempt a delivery again now')).action(async (id: string, o: { account: string }) => {
    const delivery = await withHooks(flags(), (h) => h.deliveries.retry(o.account, id));
    print({ delivery }, () => details({ id: delivery.id, state: delivery.state, last_status: delivery.last_status, last_error: delivery.last_error }));
    if (delivery.state !== 'succeeded') code = EXIT.failure;
  });

  accountOpt(program.command('tail').description('follow new deliveries and attempts live (Ctrl-C stops)'))
    .option('--interval <ms>', 'how often to look, in ms', '1000')
    .option('--for <seconds>', 'stop after this long')
    .action(async (o: { account: string; interval: string; for?: string }) => {
      const interval = Number(o.interval);
      const duration = o.for === undefined ? Infinity : Number(o.for) * 1000;
      if (!(Number.isInteger(interval) && interval >= 50) || !(duration > 0)) throw new UsageError('--interval must be at least 50 ms and --for positive');
      const end = Date.now() + duration;
      let stop = false;
      const onSignal = () => (stop = true);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await withHooks(flags(), async (h) => {
          let since = new Date();
          const seen = new Map<string, string>(); // delivery id → its last printed updated_at
          // A notice on stderr (stdout stays one JSON object a line with --json): from here on, changes are shown.
          io.err(`Following deliveries of ${o.account} (Ctrl-C stops)…`);
          while (!stop && Date.now() < end) {
            for (const d of await h.deliveries.changedSince(o.account, new Date(since.getTime() - 1))) {
              const updated = String(d.updated_at);
              if (seen.get(String(d.id)) === updated) continue;
              seen.set(String(d.id), updated);
              since = new Date(updated);
              if (seen.size > 10_000) for (const [id, at] of seen) if (at < updated) seen.delete(id); // bounded memory
              const last = (d.attempts as Array<Record<string, unknown>>).at(-1);
              if (flags().json) io.out(JSON.stringify({ delivery: d.id, kind: d.kind, state: d.state, attempts: d.attempts_count, status: last?.status ?? null, error: last?.error ?? null, at: updated }));
              else io.out(`${updated}  ${String(d.id)}  ${String(d.kind).padEnd(20)}  ${String(d.state).padEnd(9)}  attempts ${String(d.attempts_count)}  ${last ? `last ${String(last.status ?? last.error_kind)}` : ''}`.trimEnd());
            }
            await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, end - Date.now()))));
          }
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  accountOpt(program.command('replay <endpoint>').description('resend every webhook since a time to an endpoint'))
    .requiredOption('--since <time>', 'ISO-8601 or unix seconds')
    .action(async (endpoint: string, o: { account: string; since: string }) => {
      const since = /^\d+$/.test(o.since) ? Number(o.since) : o.since;
      const result = await withHooks(flags(), async (h) => {
        const replay = await h.replay(o.account, endpoint, since);
        if (!flags().json) io.err(`Replaying ${replay.deliveries} webhook(s) since ${replay.since}…`);
        return replay;
      });
      print({ replay: result }, () => `Queued ${result.deliveries} deliveries since ${result.since} (they go out in the background; follow them with: deliveries list --endpoint ${endpoint})`);
    });

  const customerio = program.command('integrations').description("an account's integrations").command('customerio').description('the Customer.io integration');
  accountOpt(customerio.command('show').description('show it (keys masked)')).action(async (o: { account: string }) => {
    const integration = await withHooks(flags(), (h) => h.integrations.customerio.get(o.account));
    print({ integration }, () => (integration ? details(integration) : 'Customer.io is not connected'));
    if (!integration) code = EXIT.failure;
  });
  accountOpt(customerio.command('set').description('connect or reconfigure it (keys left out are kept)'))
    .option('--site-id <id>', 'the Site ID')
    .option('--api-key <key>', 'the Track API key')
    .option('--region <region>', 'us or eu')
    .option('--track-url <url>', 'a Track API base URL instead of the region')
    .option('--step-seen <bool>', 'send Step Seen (true or false)')
    .option('--previews <bool>', 'send Previewed Tour (true or false)')
    .action(async (o: { account: string; siteId?: string; apiKey?: string; region?: string; trackUrl?: string; stepSeen?: string; previews?: string }) => {
      const bool = (v: string | undefined, flag: string) => {
        if (v === undefined) return undefined;
        if (v !== 'true' && v !== 'false') throw new UsageError(`${flag} must be true or false`);
        return v === 'true';
      };
      const input = JSON.parse(
        JSON.stringify({ site_id: o.siteId, api_key: o.apiKey, region: o.region, track_url: o.trackUrl, step_seen: bool(o.stepSeen, '--step-seen'), previews: bool(o.previews, '--previews') }),
      ) as Record<string, unknown>;
      const integration = await withHooks(flags(), (h) => h.integrations.customerio.set(o.account, input));
      print({ integration }, () => details(integration));
    });

  program.command('doctor').description('check the database, indexes, locks, backlog and clock').action(async () => {
    const checks = await doctor(configFrom(flags()));
    print({ ok: checks.every((c) => c.ok), checks }, () => checks.map((c) => `${c.ok ? 'OK  ' : 'FAIL'}  ${c.name.padEnd(12)}  ${c.detail}`).join('\n'));
    if (!checks.every((c) => c.ok)) code = EXIT.failure;
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof InvalidOptionError) {
      io.err(`error: ${error.message}`);
      return EXIT.usage;
    }
    const message = error instanceof ChameleonError ? error.messages.join('; ') : error instanceof Error ? error.message : String(error);
    io.err(`error: ${message}`);
    return EXIT.failure;
  }
}
