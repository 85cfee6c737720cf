/**
 * Staying signed in through an operation that outlives its tokens. The stand-in hands out access tokens and ID
 * tokens that live 8 seconds and refuses stale ones (ARM: ExpiredAuthenticationToken; Entra: AADSTS700024), and
 * the operation takes 24 seconds: many token lifetimes, scaled down from a two-hour restore and one-hour tokens.
 * The run must complete, fetching new tokens as they near expiry — a few, not one per poll.
 */
import { backupBlobContent } from '../stand-in';
import {
  azureDevOpsOidcEnv,
  azureRmConnection,
  CONTAINER,
  githubIdTokenEnv,
  requestsFor,
  RESOURCE_GROUP,
  STORAGE_ACCOUNT,
  SUBSCRIPTION_ID,
  useLocalAzure,
} from './fixtures';
import { BundleRun, leakedSecrets } from './harness';

const TOKEN_LIFETIME_SECONDS = 8;
const OPERATION_MS = 24_000;

const standIn = useLocalAzure({
  accessTokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS,
  idTokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS,
});

function addSlowService(name: string): void {
  standIn.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name,
    operationMs: OPERATION_MS,
  });
}

/** What one run cost in tokens, and whether anything was refused for being stale. */
function tally(name: string, run: () => Promise<BundleRun>) {
  return async () => {
    const issuedBefore = { ...standIn.issued };
    const since = standIn.requests.length;
    const result = await run();
    const requests = standIn.requests.slice(since);
    return {
      result,
      polls: requestsFor(standIn, name).polls.length,
      accessTokens: standIn.issued.accessTokens - issuedBefore.accessTokens,
      idTokens: standIn.issued.idTokens - issuedBefore.idTokens,
      refused: requests.filter((request) => request.status === 401 || /AADSTS700024/.test(request.body)),
    };
  };
}

function expectRefreshedButFew(stats: Awaited<ReturnType<ReturnType<typeof tally>>>): void {
  const lifetimes = OPERATION_MS / 1000 / TOKEN_LIFETIME_SECONDS;
  // Figures for the log of the test run: how the token counts compare with the polls.
  console.info(
    `${stats.polls} polls, ${stats.accessTokens} access tokens, ${stats.idTokens} ID tokens over ${OPERATION_MS / 1000}s of ${TOKEN_LIFETIME_SECONDS}s tokens`,
  );
  expect(stats.refused).toEqual([]);
  expect(stats.polls).toBeGreaterThanOrEqual(15);
  // Renewed as they aged: more than the operation's length in token lifetimes...
  expect(stats.accessTokens).toBeGreaterThan(lifetimes);
  expect(stats.idTokens).toBeGreaterThan(lifetimes);
  // ...but not one per request: each token serves half its life.
  expect(stats.accessTokens).toBeLessThanOrEqual(stats.polls / 2);
  expect(stats.idTokens).toBeLessThanOrEqual(stats.accessTokens);
}

it('GitHub OIDC: a backup that outlives many access and ID tokens completes', async () => {
  addSlowService('apim-long-gh');

  const stats = await tally('apim-long-gh', () =>
    standIn.runGitHub(
      { operation: 'backup', 'service-name': 'apim-long-gh', 'client-secret': '' },
      { env: githubIdTokenEnv(standIn) },
    ),
  )();

  expect(stats.result.errorMessage).toBe('');
  expect(stats.result.exitCode).toBe(0);
  expect(Number(stats.result.outputs['duration-seconds'])).toBeGreaterThanOrEqual(OPERATION_MS / 1000 - 1);
  expectRefreshedButFew(stats);
  expect(leakedSecrets(stats.result, standIn.issuedTokens)).toEqual([]);
});

it('Azure DevOps workload identity federation: a restore that outlives many tokens completes', async () => {
  addSlowService('apim-long-ado');
  await standIn.blobStore.write(
    STORAGE_ACCOUNT,
    CONTAINER,
    'long.apimbackup',
    backupBlobContent({ service: 'apim-long-ado', sku: 'Developer', createdAt: new Date().toISOString() }),
  );

  const stats = await tally('apim-long-ado', () =>
    standIn.runAzureDevOps(
      { operation: 'restore', serviceName: 'apim-long-ado', backupName: 'long.apimbackup' },
      {
        connection: azureRmConnection(standIn, 'WorkloadIdentityFederation'),
        env: azureDevOpsOidcEnv(standIn),
      },
    ),
  )();

  expect(stats.result.errorMessage).toBe('');
  expect(stats.result.result).toBe('Succeeded');
  expectRefreshedButFew(stats);
  expect(leakedSecrets(stats.result, standIn.issuedTokens)).toEqual([]);
});
