/**
 * A minimal client for the package's own HTTP API over loopback (plain `fetch`, the secret in
 * the `X-Account-Secret` header), used at start-up to register the receiver and seed demo data.
 */

/** Calls one endpoint of the package. */
export type ApiCall = <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => Promise<T>;

/** A client for `baseUrl` (the mounted package, e.g. `http://127.0.0.1:3000/chameleon`). */
export function apiClient(baseUrl: string, accountSecret: string): ApiCall {
  return async <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'X-Account-Secret': accountSecret, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as T & { messages?: string[] };
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${(json.messages ?? []).join('; ')}`);
    return json;
  };
}
