// Unit tests of the SSRF guard: address classification, endpoint URL checks and the connect-time lookup (no connections made).
import type dns from 'node:dns';
import { describe, expect, it } from 'vitest';
import { ForbiddenUrlError } from '../../../../lib/errors.js';
import {
  FORBIDDEN_ADDRESS_CODE,
  MAX_URL_LENGTH,
  checkEndpointUrl,
  guardedLookup,
  isLocalhostName,
  isPublicAddress,
} from '../../../../lib/delivery/transport/ssrf-guard.js';

const STRICT = { allowHttp: false, allowPrivateNetworks: false };

/** A fake resolver answering from a table; records the names it was asked. */
function fakeLookup(table: Record<string, string[]>, asked: string[] = []): typeof dns.lookup {
  const lookup = (hostname: string, _options: unknown, callback: (e: Error | null, a: dns.LookupAddress[]) => void) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) {
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return callback(error, []);
    }
    callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  return lookup as unknown as typeof dns.lookup;
}

/** Runs a guarded lookup and returns what its callback got. */
function runLookup(
  lookup: ReturnType<typeof guardedLookup>,
  hostname: string,
  options: dns.LookupOptions,
): Promise<{ error: (Error & { code?: string }) | null; address: unknown; family?: number }> {
  return new Promise((resolve) => {
    lookup(hostname, options, (error, address, family) => resolve({ error, address, family }));
  });
}

describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.255', 'private 172.16/12'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'CGNAT'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network 0/8'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['198.18.0.1', 'benchmarking'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'IPv6 loopback'],
    ['[::1]', 'bracketed IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with a zone'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:0:a00:1', 'RFC 6145 translated private'],
    ['64:ff9b::a00:1', 'NAT64 with an embedded private address'],
    ['64:ff9b::7f00:1', 'NAT64 with an embedded loopback address'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:a00:1::1', '6to4'],
    ['2001::1', 'Teredo'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['::7f00:1', 'deprecated IPv4-compatible'],
    ['100::1', 'discard-only'],
  ])('should judge %s not public (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('should judge %s public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each(['', 'localhost', 'example.com', '127.1', '0x7f.0.0.1', '0177.0.0.1', '2130706433', '1.2.3.4.5', '::g'])(
    'should judge the non-canonical or invalid %j not public',
    (ip) => {
      expect(isPublicAddress(ip)).toBe(false);
    },
  );
});

describe('isLocalhostName', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['localhost.', true],
    ['foo.localhost', true],
    ['a.b.localhost.', true],
    ['localhost.example.com', false],
    ['notlocalhost', false],
  ])('should judge %s → %s', (name, expected) => {
    expect(isLocalhostName(name)).toBe(expected);
  });
});

describe('checkEndpointUrl', () => {
  it.each([
    '127.0.0.1',
    '127.1',
    '2130706433',
    '0x7f000001',
    '0x7f.1',
    '0177.0.0.1',
    '127.0.0.1.',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '0',
    '[::]',
    '[fe80::1]',
    '[fc00::1]',
    '[64:ff9b::a00:1]',
    'localhost',
    'LocalHost',
    'localhost.',
    'foo.localhost',
  ])('should refuse https://%s/ as a non-public host', (host) => {
    expect(() => checkEndpointUrl(`https://${host}/hook`, STRICT)).toThrow(ForbiddenUrlError);
    expect(() => checkEndpointUrl(`https://${host}:8443/hook`, STRICT)).toThrow(/not a public address|is local/);
  });

  it('should accept a public IP literal without connecting to it', () => {
    const url = checkEndpointUrl('https://93.184.216.34/hook?x=1', STRICT);
    expect(url).toBeInstanceOf(URL);
    expect(url.hostname).toBe('93.184.216.34');
  });

  it('should accept a public IPv6 literal and a host name', () => {
    expect(checkEndpointUrl('https://[2606:4700:4700::1111]/', STRICT).hostname).toBe('[2606:4700:4700::1111]');
    expect(checkEndpointUrl('https://hooks.example.com/in', STRICT).href).toBe('https://hooks.example.com/in');
  });

  it('should accept private hosts when allowPrivateNetworks is on', () => {
    const open = { allowHttp: false, allowPrivateNetworks: true };
    expect(checkEndpointUrl('https://127.0.0.1:8443/', open).port).toBe('8443');
    expect(checkEndpointUrl('https://localhost/', open).hostname).toBe('localhost');
    expect(checkEndpointUrl('https://[::1]/', open).hostname).toBe('[::1]');
  });

  it('should refuse http unless allowHttp is on', () => {
    expect(() => checkEndpointUrl('http://hooks.example.com/', STRICT)).toThrow(/must use https/);
    expect(checkEndpointUrl('http://hooks.example.com/', { ...STRICT, allowHttp: true }).protocol).toBe('http:');
  });

  it('should still refuse a private http host with allowHttp alone', () => {
    expect(() => checkEndpointUrl('http://127.0.0.1/', { allowHttp: true, allowPrivateNetworks: false })).toThrow(ForbiddenUrlError);
  });

  it.each(['ftp://hooks.example.com/', 'file:///etc/passwd', 'gopher://hooks.example.com/', 'javascript:alert(1)', 'data:text/plain,x'])(
    'should refuse the scheme of %s',
    (url) => {
      expect(() => checkEndpointUrl(url, { allowHttp: true, allowPrivateNetworks: true })).toThrow(/must use https/);
    },
  );

  it.each(['https://user:pass@hooks.example.com/', 'https://user@hooks.example.com/', 'https://:pass@hooks.example.com/'])(
    'should refuse credentials in %s',
    (url) => {
      expect(() => checkEndpointUrl(url, STRICT)).toThrow(/credentials/);
    },
  );

  it.each(['', 'not a url', '/relative/path', 'https://', 'https://exa mple.com/', 'https://[::1/'])('should refuse the unparseable %j', (url) => {
    expect(() => checkEndpointUrl(url, STRICT)).toThrow(ForbiddenUrlError);
  });

  it(`should refuse URLs longer than ${MAX_URL_LENGTH} characters`, () => {
    const base = 'https://hooks.example.com/';
    const fits = base + 'a'.repeat(MAX_URL_LENGTH - base.length);
    expect(checkEndpointUrl(fits, STRICT).href).toBe(fits);
    expect(() => checkEndpointUrl(fits + 'a', STRICT)).toThrow(/longer than 2048/);
  });

  it('should carry the forbidden-URL code and a 422 status', () => {
    try {
      checkEndpointUrl('https://10.0.0.1/', STRICT);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ForbiddenUrlError);
      expect((error as ForbiddenUrlError).code).toBe('CH_ERR_FORBIDDEN_URL');
      expect((error as ForbiddenUrlError).status).toBe(422);
    }
  });
});

describe('guardedLookup', () => {
  it('should pass public addresses through, all of them with { all: true }', async () => {
    const lookup = guardedLookup({ allowPrivateNetworks: false, lookup: fakeLookup({ 'hooks.test': ['93.184.216.34', '2606:4700::1'] }) });
    const all = await runLookup(lookup, 'hooks.test', { all: true });
    expect(all.error).toBeNull();
    expect(all.address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700::1', family: 6 },
    ]);
  });

  it('should answer one address and its family without { all: true }', async () => {
    const lookup = guardedLookup({ allowPrivateNetworks: false, lookup: fakeLookup({ 'hooks.test': ['93.184.216.34'] }) });
    const one = await runLookup(lookup, 'hooks.test', {});
    expect(one).toEqual({ error: null, address: '93.184.216.34', family: 4 });
  });

  it.each([
    [['127.0.0.1']],
    [['169.254.169.254']],
    [['::1']],
    [['::ffff:10.0.0.1']],
    [['93.184.216.34', '10.0.0.1']],
    [['2606:4700::1', 'fd00::1']],
  ])('should refuse a name resolving to %j', async (addresses) => {
    const lookup = guardedLookup({ allowPrivateNetworks: false, lookup: fakeLookup({ 'rebind.example': addresses }) });
    const { error } = await runLookup(lookup, 'rebind.example', { all: true });
    expect(error?.code).toBe(FORBIDDEN_ADDRESS_CODE);
    expect(error?.message).toMatch(/rebind\.example resolves to .* not a public address/);
  });

  it('should let private addresses through when allowPrivateNetworks is on', async () => {
    const lookup = guardedLookup({ allowPrivateNetworks: true, lookup: fakeLookup({ 'intranet.test': ['10.0.0.5'] }) });
    expect(await runLookup(lookup, 'intranet.test', {})).toEqual({ error: null, address: '10.0.0.5', family: 4 });
  });

  it('should pass resolver errors through', async () => {
    const lookup = guardedLookup({ allowPrivateNetworks: false, lookup: fakeLookup({}) });
    const { error } = await runLookup(lookup, 'missing.test', { all: true });
    expect(error?.code).toBe('ENOTFOUND');
  });

  it('should accept the (hostname, callback) form', async () => {
    const lookup = guardedLookup({ allowPrivateNetworks: false, lookup: fakeLookup({ 'hooks.test': ['8.8.8.8'] }) });
    const result = await new Promise((resolve) => lookup('hooks.test', (error, address, family) => resolve({ error, address, family })));
    expect(result).toEqual({ error: null, address: '8.8.8.8', family: 4 });
  });
});
