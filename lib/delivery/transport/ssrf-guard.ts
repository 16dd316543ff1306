/**
 * SSRF protection for outgoing webhooks: which addresses are public, which endpoint URLs are allowed, and a connect-time DNS lookup that refuses non-public addresses.
 */
import dns from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ForbiddenUrlError } from '../../errors.js';

/** The longest endpoint URL accepted, in characters. */
export const MAX_URL_LENGTH = 2048;

/** The `code` of the error a {@link guardedLookup} fails with when a name resolves to a non-public address. */
export const FORBIDDEN_ADDRESS_CODE = 'ERR_CH_FORBIDDEN_ADDRESS';

/** IPv6 global unicast (2000::/3): the only IPv6 space that is routable on the internet. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
/** The NAT64 well-known prefix (RFC 6052), whose last 32 bits are an IPv4 address. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray();
  return new ipaddr.IPv4(bytes.slice(12, 16));
}

function isPublicParsed(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (address.kind() === 'ipv4') return address.range() === 'unicast';
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  // ::ffff:a.b.c.d and ::ffff:0:a.b.c.d reach the embedded IPv4 address: judge that.
  if (range === 'ipv4Mapped' || range === 'rfc6145') return isPublicParsed(embeddedIPv4(v6));
  // 64:ff9b::a.b.c.d is translated by NAT64 to the embedded IPv4 address.
  if (v6.match(NAT64_WELL_KNOWN)) return isPublicParsed(embeddedIPv4(v6));
  // Everything else special (6to4, Teredo, local-use NAT64, ULA, link-local, …) is refused,
  // as is "unicast" space outside 2000::/3 (e.g. the deprecated IPv4-compatible ::a.b.c.d).
  return range === 'unicast' && v6.match(GLOBAL_UNICAST_V6);
}

/**
 * Whether an IP address is public, i.e. one a webhook may be sent to without
 * `allowPrivateNetworks`. Anything that is not a valid, canonical IPv4 or IPv6 address is not public.
 * IPv4-mapped and NAT64 (64:ff9b::/96) IPv6 addresses are judged by their embedded IPv4 address.
 *
 * @param ip - an address as `dns.lookup` returns it; IPv6 may be wrapped in `[]` and carry a `%zone`.
 * @example
 * isPublicAddress('93.184.216.34')    // true
 * isPublicAddress('169.254.169.254')  // false: link-local (cloud metadata)
 * isPublicAddress('::ffff:127.0.0.1') // false: judged as 127.0.0.1
 * isPublicAddress('2606:4700::1111')  // true
 */
export function isPublicAddress(ip: string): boolean {
  let text = ip.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  if (isIP(text) === 0) return false;
  try {
    return isPublicParsed(ipaddr.parse(text));
  } catch {
    return false;
  }
}

/** Whether a (lower-case) host name is `localhost` or a name under `.localhost`, with or without a trailing dot. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** The host of a parsed URL as a bare IP address, or `undefined` when the host is a name. */
export function ipLiteralHost(url: URL): string | undefined {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) === 0 ? undefined : host;
}

/** What {@link checkEndpointUrl} allows beyond public `https` URLs. */
export interface EndpointUrlPolicy {
  /** Accept `http://` URLs. */
  allowHttp: boolean;
  /** Accept loopback, private and other non-public IP literals, and `localhost` names. */
  allowPrivateNetworks: boolean;
}

/**
 * Checks an endpoint URL before it is stored or used, and returns it parsed.
 * The WHATWG parser has already turned decimal, hex, octal and short IPv4 forms
 * (`https://2130706433/`, `https://0x7f.1/`) into dotted ones, so they are judged by their value.
 * Host names are checked again at connect time by {@link guardedLookup}.
 *
 * @throws ForbiddenUrlError for an unparseable or too long URL, a scheme other than https
 * (or http with `allowHttp`), credentials in the URL, or a non-public IP literal or `localhost`
 * name without `allowPrivateNetworks`.
 * @example
 * checkEndpointUrl('https://hooks.example.com/in', { allowHttp: false, allowPrivateNetworks: false }) // URL
 * checkEndpointUrl('https://10.0.0.1/', { allowHttp: false, allowPrivateNetworks: false }) // throws
 */
export function checkEndpointUrl(url: string, options: EndpointUrlPolicy): URL {
  if (typeof url !== 'string' || url.length === 0) throw new ForbiddenUrlError('The endpoint URL is required');
  if (url.length > MAX_URL_LENGTH) {
    throw new ForbiddenUrlError(`The endpoint URL is longer than ${MAX_URL_LENGTH} characters`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ForbiddenUrlError('The endpoint URL is not a valid absolute URL');
  }
  if (parsed.protocol === 'http:') {
    if (!options.allowHttp) throw new ForbiddenUrlError('The endpoint URL must use https (http is not enabled: delivery.allowHttp)');
  } else if (parsed.protocol !== 'https:') {
    throw new ForbiddenUrlError(`The endpoint URL must use https, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new ForbiddenUrlError('The endpoint URL must not contain credentials (user:password@)');
  }
  if (parsed.hostname === '') throw new ForbiddenUrlError('The endpoint URL has no host');
  if (!options.allowPrivateNetworks) {
    const literal = ipLiteralHost(parsed);
    if (literal !== undefined && !isPublicAddress(literal)) {
      throw new ForbiddenUrlError(
        `The endpoint URL's host ${parsed.hostname} is not a public address (delivery.allowPrivateNetworks is off)`,
      );
    }
    if (isLocalhostName(parsed.hostname)) {
      throw new ForbiddenUrlError(`The endpoint URL's host ${parsed.hostname} is local (delivery.allowPrivateNetworks is off)`);
    }
  }
  return parsed;
}

/** The error a {@link guardedLookup} fails with; `code` is {@link FORBIDDEN_ADDRESS_CODE}. */
export class ForbiddenAddressError extends Error {
  /** Always {@link FORBIDDEN_ADDRESS_CODE}. */
  readonly code = FORBIDDEN_ADDRESS_CODE;
  /** The name that was resolved. */
  readonly hostname: string;
  /** The first non-public address it resolved to. */
  readonly address: string;
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to ${address}, which is not a public address (delivery.allowPrivateNetworks is off)`);
    this.name = new.target.name;
    this.hostname = hostname;
    this.address = address;
  }
}

/** A `lookup` callback as `net.connect` calls it: one address, or all of them with `{ all: true }`. */
type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** The `lookup` function {@link guardedLookup} returns, usable as `net.connect`'s or undici's `connect.lookup`. */
export type GuardedLookup = (hostname: string, options: dns.LookupOptions | number | LookupCallback, callback?: LookupCallback) => void;

/** Options of {@link guardedLookup}. */
export interface GuardedLookupOptions {
  /** Let names resolve to non-public addresses. */
  allowPrivateNetworks: boolean;
  /** The underlying resolver. @defaultValue `dns.lookup` */
  lookup?: typeof dns.lookup;
}

/**
 * A DNS `lookup` for the connector that resolves every address of a name and fails with a
 * {@link ForbiddenAddressError} if ANY of them is not public (unless `allowPrivateNetworks`).
 * Because it runs when the socket connects, it also catches DNS rebinding: a name that was
 * public when the endpoint was created but resolves to a private address now.
 *
 * @example
 * const agent = new Agent({ connect: { lookup: guardedLookup({ allowPrivateNetworks: false }) } });
 */
export function guardedLookup(options: GuardedLookupOptions): GuardedLookup {
  const resolve = (options.lookup ?? dns.lookup) as unknown as (
    hostname: string,
    options: dns.LookupAllOptions,
    callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
  ) => void;
  return (hostname, lookupOptions, maybeCallback) => {
    const callback = (typeof lookupOptions === 'function' ? lookupOptions : maybeCallback) as LookupCallback;
    const given: dns.LookupOptions =
      typeof lookupOptions === 'number' ? { family: lookupOptions } : typeof lookupOptions === 'object' ? lookupOptions : {};
    resolve(hostname, { ...given, all: true }, (error, addresses) => {
      if (error) return callback(error, given.all ? [] : '');
      const list = Array.isArray(addresses) ? addresses : [];
      if (list.length === 0) {
        const empty: NodeJS.ErrnoException = new Error(`${hostname} resolves to no address`);
        empty.code = 'ENOTFOUND';
        return callback(empty, given.all ? [] : '');
      }
      if (!options.allowPrivateNetworks) {
        const bad = list.find((entry) => !isPublicAddress(entry.address));
        if (bad) return callback(new ForbiddenAddressError(hostname, bad.address), given.all ? [] : '');
      }
      if (given.all) return callback(null, list);
      const first = list[0] as dns.LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}
