/**
 * One JSON POST on loopback, timed, with a hard timeout (for batch requests).
 */

/** The answer to a timed POST. */
export interface TimedResponse {
  status: number;
  body: unknown;
  ms: number;
}

/** POSTs `body` (already serialised) to `url`; the time covers sending the body and reading the whole answer. */
export async function postJson(url: string, body: string, timeoutMs = 120_000): Promise<TimedResponse> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url)) throw new Error(`requests stay on loopback; refusing ${url}`);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed, ms };
}
