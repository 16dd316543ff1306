/**
 * A self-signed TLS certificate for `localhost`, 127.0.0.1 and ::1, generated once per test process.
 */
import { generate } from 'selfsigned';

/** A PEM private key and certificate; pass `cert` as `ca` to trust it. */
export interface TestCertificate {
  /** The private key, PEM. */
  key: string;
  /** The self-signed certificate, PEM. */
  cert: string;
}

let pending: Promise<TestCertificate> | undefined;

/**
 * The process's test certificate, valid for `localhost`, `127.0.0.1` and `::1` for two days.
 * The first call generates it (an EC P-256 key, fast); later calls return the same one.
 *
 * @example
 * const { key, cert } = await testCertificate();
 * https.createServer({ key, cert }, handler);
 * createHttpSender({ ..., ca: cert });
 */
export function testCertificate(): Promise<TestCertificate> {
  pending ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60 * 60 * 1000),
    notAfterDate: new Date(Date.now() + 2 * 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return pending;
}
