/**
 * `npm run stand-in`: starts the local stand-in of Azure Resource Manager and Entra ID (with Azurite holding blobs)
 * in the background, registers an app and adds one API Management instance, then returns, leaving the servers
 * running. What the next steps need is appended to $GITHUB_ENV (or printed, without it): the CA certificate to trust
 * (NODE_EXTRA_CA_CERTS), the stand-in URL, the identity, the instance and the storage account.
 * A workflow then runs the action with `uses: ./` against it; `npm run stand-in -- --stop` stops it
 * ($STAND_IN_PID), and the runner ends it with the job anyway. Listens on 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  CONTAINER,
  RESOURCE_GROUP,
  startLocalAzure,
  STORAGE_ACCOUNT,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  TENANT_ID,
} from '../test/e2e/fixtures';

const SERVICE = 'apim-stand-in';
const READY_TIMEOUT_MS = 60_000;

/** Child: runs the servers until SIGTERM/SIGINT, and writes what the steps need to `readyFile` once listening. */
async function serve(readyFile: string): Promise<void> {
  const standIn = await startLocalAzure();
  standIn.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name: SERVICE });
  const stop = async () => {
    await standIn.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  const env: Record<string, string> = {
    NODE_EXTRA_CA_CERTS: standIn.caCertPath,
    STAND_IN_URL: standIn.url,
    STAND_IN_PID: String(process.pid),
    AZURE_TENANT_ID: TENANT_ID,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
    STAND_IN_CLIENT_SECRET: CLIENT_SECRET,
    STAND_IN_RESOURCE_GROUP: RESOURCE_GROUP,
    STAND_IN_SERVICE_NAME: SERVICE,
    STAND_IN_STORAGE_ACCOUNT: STORAGE_ACCOUNT,
    STAND_IN_CONTAINER: CONTAINER,
    STAND_IN_STORAGE_KEY: STORAGE_KEY,
    STAND_IN_BLOB_ENDPOINT: standIn.blobEndpoint,
  };
  // Written whole, then renamed: the parent never reads half a file.
  writeFileSync(`${readyFile}.part`, JSON.stringify(env), { mode: 0o600 });
  renameSync(`${readyFile}.part`, readyFile);
}

/** Parent: starts the child detached, waits until it is ready, hands its env to the next steps, and returns. */
async function start(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stand-in-'));
  const readyFile = join(dir, 'ready.json');
  const log = join(dir, 'stand-in.log');
  const child = spawn(process.execPath, [__filename], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, STAND_IN_SERVE: readyFile, STAND_IN_LOG: log },
  });
  child.unref();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const output = existsSync(log) ? readFileSync(log, 'utf8') : '';
      throw new Error(`the stand-in did not start (see ${log}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const env = JSON.parse(readFileSync(readyFile, 'utf8')) as Record<string, string>;
  rmSync(readyFile);
  const lines = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  if (process.env.GITHUB_ENV) {
    appendFileSync(process.env.GITHUB_ENV, lines.join('\n') + '\n');
    console.log(`Stand-in running at ${env.STAND_IN_URL} (pid ${env.STAND_IN_PID}); wrote to $GITHUB_ENV:`);
    // Names only: the values include a (stand-in) client secret.
    console.log(Object.keys(env).join(' '));
  } else {
    console.log(`Stand-in running at ${env.STAND_IN_URL} (pid ${env.STAND_IN_PID}). For the next steps:`);
    for (const line of lines) if (!/SECRET|KEY=/.test(line)) console.log(`  ${line}`);
  }
}

function stopRunning(): void {
  const pid = Number(process.env.STAND_IN_PID);
  if (!pid) throw new Error('STAND_IN_PID is not set: nothing to stop');
  process.kill(pid, 'SIGTERM');
  console.log(`Stopped the stand-in (pid ${pid})`);
}

const main = process.env.STAND_IN_SERVE
  ? () => {
      // Detached: errors go to the log file the parent shows if start-up fails.
      const report = (error: unknown) => {
        writeFileSync(
          process.env.STAND_IN_LOG as string,
          String(error instanceof Error ? error.stack : error),
        );
        process.exit(1);
      };
      process.on('uncaughtException', report);
      return serve(process.env.STAND_IN_SERVE as string).catch(report);
    }
  : process.argv.includes('--stop')
    ? async () => stopRunning()
    : start;

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
