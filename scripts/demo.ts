/**
 * `npm run demo`: the backup lifecycle through the bundled GitHub entry point (dist/github/index.js), run as the
 * runner runs it, against the local stand-ins of Azure Resource Manager and Entra ID, with Azurite holding the
 * backups: a backup, a list of the backups in storage, a verify gate, and a restore of the latest backup.
 * No Azure account needed.
 */
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
import { BundleRun, runGitHubAction, visibleOutput } from '../test/e2e/harness';

const SERVICE = 'apim-demo';

async function main(): Promise<void> {
  const standIn = await startLocalAzure();
  try {
    standIn.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name: SERVICE });
    console.log(`Stand-in of Azure Resource Manager and Entra ID: ${standIn.url}`);
    console.log(
      `Azurite blob endpoint (https, storage account ${STORAGE_ACCOUNT}): ${standIn.blobEndpoint}\n`,
    );

    const common = {
      'tenant-id': TENANT_ID,
      'client-id': CLIENT_ID,
      'client-secret': CLIENT_SECRET,
      'subscription-id': SUBSCRIPTION_ID,
      'resource-group': RESOURCE_GROUP,
      'service-name': SERVICE,
      'storage-account': STORAGE_ACCOUNT,
      container: CONTAINER,
      'storage-key': STORAGE_KEY,
      'blob-endpoint': standIn.blobEndpoint,
      'poll-interval': '1s',
      'resource-manager-endpoint': standIn.url,
      'authority-host': standIn.url,
    };
    await step('backup', () =>
      runGitHubAction({ inputs: { ...common, operation: 'backup' }, caCertPath: standIn.caCertPath }),
    );
    await step('list', () =>
      runGitHubAction({
        inputs: { ...common, operation: 'list', 'resource-group': '' }, // list needs no instance
        caCertPath: standIn.caCertPath,
      }),
    );
    await step('verify (a release gate: a backup younger than 1h)', () =>
      runGitHubAction({
        inputs: { ...common, operation: 'verify', 'max-age': '1h' },
        caCertPath: standIn.caCertPath,
      }),
    );
    await step('restore latest', () =>
      runGitHubAction({
        inputs: { ...common, operation: 'restore', 'backup-name': 'latest' },
        caCertPath: standIn.caCertPath,
      }),
    );
  } finally {
    await standIn.close();
  }
}

async function step(name: string, run: () => Promise<BundleRun>): Promise<BundleRun> {
  console.log(`=== ${name}: node dist/github/index.js`);
  const result = await run();
  console.log(indent(visibleOutput(result).trim()));
  console.log(`--- outputs (GITHUB_OUTPUT)`);
  for (const [key, value] of Object.entries(result.outputs)) console.log(`  ${key} = ${value}`);
  console.log(`--- exit code ${result.exitCode}\n`);
  if (result.exitCode !== 0) throw new Error(`${name} failed`);
  return result;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
