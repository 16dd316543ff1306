/**
 * The data the ingest benchmarks send: the benchmark account, the package's URLs, and
 * profile items such as `{"uid":"u123","plan":"gold","seats":"12","lastLoginAt":"2029-08-21T02:46:46Z"}`.
 */

/** The static account of the package server (secrets are fixed: everything stays on loopback). */
export const BENCH_ACCOUNT = Object.freeze({
  id: 'bench',
  secret: 'acct_bench_0123456789abcdef0123456789',
  webhookSecret: 'whsec_bench_0123456789abcdef0123456789',
});

/** The package's single-profile path, secret in the path. */
export const PACKAGE_PROFILE_PATH = `/v3/observe/hooks/${BENCH_ACCOUNT.secret}/profiles`;
/** The package's profile-batch path. */
export const PACKAGE_BATCH_PATH = `/v3/observe/hooks/${BENCH_ACCOUNT.secret}/profiles/batch`;
/** The bare baseline's single-profile path. */
export const BARE_PROFILE_PATH = '/bare/profiles';
/** The bare baseline's batch path (memory benchmark). */
export const BARE_BATCH_PATH = '/bare/profiles/batch';

const PLANS = ['gold', 'silver', 'bronze', 'free'] as const;
const BASE_LOGIN_MS = Date.UTC(2029, 7, 21, 2, 46, 46);

/** A profile item. */
export interface ProfileItem {
  uid: string;
  plan: string;
  seats: string;
  lastLoginAt: string;
}

/** The `n`-th profile item for `uid`; values vary with `n` so updates change something. */
export function profileItem(uid: string, n: number): ProfileItem {
  return {
    uid,
    plan: PLANS[n % PLANS.length]!,
    seats: String(1 + (n % 97)),
    lastLoginAt: new Date(BASE_LOGIN_MS - (n % 100_000) * 61_000).toISOString().replace('.000Z', 'Z'),
  };
}

/**
 * The body of the `n`-th request of a load run: the uid walks a pool of `pool` uids in a
 * scattered but deterministic order (7919 is prime, so every uid is hit once per `pool` requests).
 */
export function singleBody(n: number, pool: number): string {
  return JSON.stringify(profileItem(`u${(n * 7919) % pool}`, n));
}

/** `count` profile items with uids `<prefix><i>`; `variant` changes the values (for update rounds). */
export function batchItems(prefix: string, count: number, variant = 0): ProfileItem[] {
  return Array.from({ length: count }, (_, i) => profileItem(`${prefix}${i}`, i + variant * 31));
}

/** The package's Customer.io reporting-webhook path, secret in the path. */
export const PACKAGE_REPORT_PATH = `/v3/observe/hooks/${BENCH_ACCOUNT.secret}/customerio`;
/** The bare baseline's reporting-webhook path. */
export const BARE_REPORT_PATH = '/bare/reports';

const METRICS = ['sent', 'delivered', 'opened', 'clicked'] as const;

/**
 * The body of the `n`-th reporting webhook of a run (`run` keeps event ids unique across runs):
 * a message metric for one of `pool` people, as Customer.io sends it.
 */
export function reportBody(run: string, n: number, pool: number): string {
  return JSON.stringify({
    event_id: `01HBENCH${run}${String(n).padStart(10, '0')}`,
    object_type: 'email',
    metric: METRICS[n % METRICS.length],
    timestamp: 1_900_000_000 + n,
    data: {
      identifiers: { id: `u${(n * 7919) % pool}`, email: `u${(n * 7919) % pool}@example.com`, cio_id: `c${n % pool}` },
      customer_id: `u${(n * 7919) % pool}`,
      delivery_id: `RAECAAFwnUSneIa0ZXkmSQ${n}`,
      campaign_id: 7,
      action_id: 9,
      subject: 'Welcome to the product',
      recipient: `u${(n * 7919) % pool}@example.com`,
    },
  });
}
