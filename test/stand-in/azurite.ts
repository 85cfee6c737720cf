/** Azurite's blob service as a child process on a free port, in memory, for tests that want real Blob Storage. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Azurite {
  /** e.g. http://127.0.0.1:PORT/devstoreaccount1 */
  blobEndpoint: string;
  accountName: 'devstoreaccount1';
  accountKey: string;
  close(): Promise<void>;
}

// The well-known development key from Azurite's README.
const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

// Resolved at run time from the project or this file, so an esbuild bundle of the stand-in finds it too.
function azuriteBlobMain(): string {
  return require.resolve('azurite/dist/src/blob/main.js', { paths: [process.cwd(), __dirname] });
}

export async function startAzurite(timeoutMs = 15_000): Promise<Azurite> {
  const cwd = mkdtempSync(join(tmpdir(), 'azurite-'));
  const args = [
    ...['--inMemoryPersistence', '--silent', '--disableTelemetry', '--skipApiVersionCheck'],
    ...['--blobHost', '127.0.0.1', '--blobPort', '0'],
  ];
  // Node runs the azurite-blob bin script directly: no shell in between, so close() kills Azurite itself.
  const child = spawn(process.execPath, [azuriteBlobMain(), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';

  const port = await new Promise<number>((resolve, reject) => {
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
      const match = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`Azurite exited with ${code} before listening:\n${output}`)));
  });

  return {
    blobEndpoint: `http://127.0.0.1:${port}/devstoreaccount1`,
    accountName: 'devstoreaccount1',
    accountKey: DEV_ACCOUNT_KEY,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
