/**
 * Azurite's blob service as a child process on a free port, in memory, for tests that want real Blob Storage.
 * Plain http by default; https with a certificate (the stand-in's, so one CA file serves both), and `--oauth basic`
 * so it accepts the bearer tokens the stand-in mints for https://storage.azure.com.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificate, TestCertificate } from './certificate';

export interface AzuriteAccount {
  name: string;
  /** Base64, as a storage account key is. */
  key: string;
  /** e.g. https://127.0.0.1:PORT/name */
  blobEndpoint: string;
}

export interface AzuriteOptions {
  /**
   * Serve https with this certificate (its SAN must cover 127.0.0.1, as createTestCertificate's and the stand-in's
   * `certificate` do). Without it, `https` or `oauth` make a fresh one; trust it through `caCertPath`/`caCertPem`.
   */
  certificate?: TestCertificate;
  https?: boolean;
  /** `--oauth basic`: bearer tokens are accepted when their issuer, audience and lifetime pass (implies https). */
  oauth?: boolean;
  /** More accounts beside devstoreaccount1 (AZURITE_ACCOUNTS); keys must be base64. */
  accounts?: { name: string; key: string }[];
  timeoutMs?: number;
}

export interface Azurite {
  /** e.g. http://127.0.0.1:PORT/devstoreaccount1, or https://… when started with a certificate. */
  blobEndpoint: string;
  /** http://127.0.0.1:PORT or https://127.0.0.1:PORT */
  origin: string;
  accountName: 'devstoreaccount1';
  accountKey: string;
  /** devstoreaccount1 first, then the `accounts` asked for. */
  accounts: AzuriteAccount[];
  https: boolean;
  oauth: boolean;
  /** The certificate served over https (undefined over http): trust certPath / certPem. */
  certificate?: TestCertificate;
  /** The CA to trust: NODE_EXTRA_CA_CERTS for a child, tlsOptions.ca in process (see trust.ts). */
  caCertPath?: string;
  caCertPem?: string;
  close(): Promise<void>;
}

// The well-known development key from Azurite's README.
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

// Resolved at run time from the project or this file, so an esbuild bundle of the stand-in finds it too.
function azuriteBlobMain(): string {
  return require.resolve('azurite/dist/src/blob/main.js', { paths: [process.cwd(), __dirname] });
}

/** Starts Azurite; a number is the old signature (timeoutMs) and still works. */
export async function startAzurite(options: AzuriteOptions | number = {}): Promise<Azurite> {
  const opts: AzuriteOptions = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const cwd = mkdtempSync(join(tmpdir(), 'azurite-'));
  const oauth = opts.oauth ?? false;
  const certificate = opts.certificate ?? (opts.https || oauth ? createTestCertificate(cwd) : undefined);
  const args = [
    ...['--inMemoryPersistence', '--silent', '--disableTelemetry', '--skipApiVersionCheck'],
    ...['--blobHost', '127.0.0.1', '--blobPort', '0'],
    ...(certificate ? ['--cert', certificate.certPath, '--key', certificate.keyPath] : []),
    ...(oauth ? ['--oauth', 'basic'] : []),
  ];
  const extra = opts.accounts ?? [];
  const env = { ...process.env };
  if (extra.length > 0) {
    // Setting AZURITE_ACCOUNTS replaces the dev account, so name it too.
    env.AZURITE_ACCOUNTS = [{ name: AZURITE_ACCOUNT_NAME, key: AZURITE_ACCOUNT_KEY }, ...extra]
      .map((account) => `${account.name}:${account.key}`)
      .join(';');
  } else {
    delete env.AZURITE_ACCOUNTS;
  }
  // Node runs the azurite-blob bin script directly: no shell in between, so close() kills Azurite itself.
  const child = spawn(process.execPath, [azuriteBlobMain(), ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';

  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /successfully listens on (https?:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`Azurite exited with ${code} before listening:\n${output}`)));
  }).catch((error: unknown) => {
    rmSync(cwd, { recursive: true, force: true });
    throw error;
  });

  const accounts = [{ name: AZURITE_ACCOUNT_NAME, key: AZURITE_ACCOUNT_KEY }, ...extra].map((account) => ({
    ...account,
    blobEndpoint: `${origin}/${account.name}`,
  }));
  return {
    blobEndpoint: accounts[0].blobEndpoint,
    origin,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    accounts,
    https: certificate !== undefined,
    oauth,
    certificate,
    caCertPath: certificate?.certPath,
    caCertPem: certificate?.certPem,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
