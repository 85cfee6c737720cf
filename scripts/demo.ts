/**
 * `npm run demo`: a backup and a restore through the bundled GitHub entry point (dist/github/index.js), run as the
 * runner runs it, against the local stand-ins of Azure Resource Manager and Entra ID, with Azurite holding the
 * backup blob. No Azure account needed.
 */
import {
  CLIENT_ID,
  CLIENT_SECRET,
  CONTAINER,
  RESOURCE_GROUP,
  startRegisteredStandIn,
  STORAGE_ACCOUNT,
  SUBSCRIPTION_ID,
  TENANT_ID,
} from '../test/e2e/fixtures';
import { BundleRun, runGitHubAction, visibleOutput } from '../test/e2e/harness';
import { createAzuriteBlobStore, startAzurite } from '../test/stand-in';

const SERVICE = 'apim-demo';

async function main(): Promise<void> {
  const azurite = await startAzurite();
  const standIn = await startRegisteredStandIn({ blobStore: createAzuriteBlobStore(azurite) });
  try {
    standIn.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name: SERVICE });
    console.log(`Stand-in of Azure Resource Manager and Entra ID: ${standIn.url}`);
    console.log(`Azurite blob endpoint: ${azurite.blobEndpoint}\n`);

    const common = {
      'tenant-id': TENANT_ID,
      'client-id': CLIENT_ID,
      'client-secret': CLIENT_SECRET,
      'subscription-id': SUBSCRIPTION_ID,
      'resource-group': RESOURCE_GROUP,
      'service-name': SERVICE,
      'storage-account': STORAGE_ACCOUNT,
      container: CONTAINER,
      'storage-key': azurite.accountKey,
      'poll-interval': '1s',
      'resource-manager-endpoint': standIn.url,
      'authority-host': standIn.url,
    };
    const backup = await step('backup', () =>
      runGitHubAction({ inputs: { ...common, operation: 'backup' }, caCertPath: standIn.caCertPath }),
    );
    const blob = await createAzuriteBlobStore(azurite).read(
      STORAGE_ACCOUNT,
      CONTAINER,
      backup.outputs['backup-name'],
    );
    console.log(`Blob in Azurite after the backup: ${blob ? `${blob.length} bytes` : 'MISSING'}\n`);

    await step('restore', () =>
      runGitHubAction({
        inputs: { ...common, operation: 'restore', 'backup-name': backup.outputs['backup-name'] },
        caCertPath: standIn.caCertPath,
      }),
    );
  } finally {
    await standIn.close();
    await azurite.close();
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
