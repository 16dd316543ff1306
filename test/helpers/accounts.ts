/**
 * The static test accounts (their secrets are also watched for in every response and log line:
 * test/setup/secret-watch.ts).
 */

/** The static account every test app has. */
export const ACCOUNT = {
  id: 'acme',
  name: 'Acme',
  secret: 'acct_test_secret_0123456789abcdef',
  webhookSecret: 'whsec_test_secret_0123456789abcdef',
};

/** A second account, to prove isolation. */
export const OTHER_ACCOUNT = {
  id: 'globex',
  name: 'Globex',
  secret: 'acct_other_secret_0123456789abcdef',
  webhookSecret: 'whsec_other_secret_0123456789abcdef',
};
