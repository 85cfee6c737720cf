/** Certificates made with openssl: the stand-in's TLS certificate, and app certificates for certificate sign-in. */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificate {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

export interface ClientCertificate extends TestCertificate {
  /** Key and certificate in one PEM, the form ClientCertificateCredential reads ({ certificate } or { certificatePath }). */
  pem: string;
  pemPath: string;
  /** SHA-1 of the DER certificate: upper-case hex as the portal shows it, and base64url as the JWT `x5t` header. */
  thumbprint: string;
  thumbprintBase64Url: string;
  /** SHA-256 of the DER certificate, as the JWT `x5t#S256` header that MSAL sends for @azure/identity 4.13. */
  thumbprintSha256: string;
  thumbprintSha256Base64Url: string;
}

function selfSigned(dir: string, name: string, subject: string, extraArgs: string[] = []): TestCertificate {
  const certPath = join(dir, `${name}.crt.pem`);
  const keyPath = join(dir, `${name}.key.pem`);
  const args = [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    subject,
    ...extraArgs,
    '-days',
    '2',
  ];
  execFileSync('openssl', [...args, '-keyout', keyPath, '-out', certPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return {
    certPath,
    keyPath,
    certPem: readFileSync(certPath, 'utf8'),
    keyPem: readFileSync(keyPath, 'utf8'),
  };
}

/**
 * Host names a test may give the stand-ins instead of 127.0.0.1: nothing resolves them but the test's forward proxy
 * (forward-proxy.ts) and, where a test says so, the child's offline resolver (test/e2e/offline-dns.js). `.test` is
 * reserved (RFC 2606): no real host has such a name.
 */
export const FAKE_AZURE_DOMAIN = 'azure.test';

/**
 * The TLS certificate of the stand-in; its SAN covers 127.0.0.1 so Node's hostname check passes, and the fake Azure
 * names (management.azure.test, stapimbackups.blob.azure.test, …) a test reaches through its forward proxy.
 */
export function createTestCertificate(dir: string): TestCertificate {
  return selfSigned(dir, 'stand-in', '/CN=localhost', [
    '-addext',
    `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:*.${FAKE_AZURE_DOMAIN},DNS:*.blob.${FAKE_AZURE_DOMAIN}`,
  ]);
}

/** A service principal's certificate; register certPem with addApp({ certificatePem }). */
export function createClientCertificate(dir: string, name = 'client'): ClientCertificate {
  const certificate = selfSigned(dir, name, `/CN=${name}`);
  const pem = `${certificate.keyPem}${certificate.certPem}`;
  const pemPath = join(dir, `${name}.pem`);
  writeFileSync(pemPath, pem);
  const der = new X509Certificate(certificate.certPem).raw;
  const sha1 = createHash('sha1').update(der).digest();
  const sha256 = createHash('sha256').update(der).digest();
  return {
    ...certificate,
    pem,
    pemPath,
    thumbprint: sha1.toString('hex').toUpperCase(),
    thumbprintBase64Url: sha1.toString('base64url'),
    thumbprintSha256: sha256.toString('hex').toUpperCase(),
    thumbprintSha256Base64Url: sha256.toString('base64url'),
  };
}
