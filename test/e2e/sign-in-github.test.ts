/**
 * Every GitHub sign-in path through dist/github/index.js: managed identity (system and user-assigned), the Azure
 * CLI session of an earlier azure/login, OIDC with a custom audience, how `auth: auto` chooses, and the sign-in
 * failures users meet, each with the message they see.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { StandIn } from '../stand-in';
import { createStandInAzureCli } from '../stand-in/azure-cli';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  githubIdTokenEnv,
  githubInputs,
  managedIdentityEnv,
  requestsFor,
  RESOURCE_GROUP,
  startRegisteredStandIn,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  TENANT_ID,
  useLocalAzure,
} from './fixtures';
import { leakedSecrets, runGitHubAction } from './harness';

const CLI_CLIENT_ID = '5e7a9c3b-2d4f-4b6a-8c1e-0f2a3b4c5d6e';
const CLI_CLIENT_SECRET = 'cli~stand-in-secret-of-azure-login';
const CUSTOM_AUDIENCE_CLIENT_ID = '6f8b0d4c-3e5a-4c7b-9d2f-1a3b4c5d6e7f';
const SERVICE = 'apim-gh-sign-in';

const standIn = useLocalAzure();

beforeAll(() => {
  standIn.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name: SERVICE });
  standIn.addApp({ tenantId: TENANT_ID, clientId: CLI_CLIENT_ID, clientSecret: CLI_CLIENT_SECRET });
  standIn.addApp({
    tenantId: TENANT_ID,
    clientId: CUSTOM_AUDIENCE_CLIENT_ID,
    federatedCredentials: [
      {
        issuer: 'https://token.actions.githubusercontent.com',
        subject: standIn.github.subject,
        audience: 'api://contoso-federation',
      },
    ],
  });
});

/** A backup of SERVICE with only the sign-in inputs the test gives (githubInputs' own removed). */
const storageInputs = (overrides: Record<string, string>) => ({
  operation: 'backup',
  'service-name': SERVICE,
  'tenant-id': '',
  'client-id': '',
  'client-secret': '',
  ...overrides,
});

function run(overrides: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  return standIn.runGitHub(storageInputs(overrides), { env });
}

/** An `az` on PATH; signed in as after azure/login unless `signedIn` is false. */
function azureCli(signedIn = true) {
  const cli = createStandInAzureCli(
    mkdtempSync(join(tmpdir(), 'az-')),
    signedIn
      ? {
          authorityHost: standIn.url,
          tenantId: TENANT_ID,
          clientId: CLI_CLIENT_ID,
          clientSecret: CLI_CLIENT_SECRET,
          subscriptionId: SUBSCRIPTION_ID,
        }
      : undefined,
  );
  const env = { PATH: `${cli.binDir}${delimiter}${process.env.PATH}`, AZURE_CONFIG_DIR: cli.configDir };
  return { cli, env };
}

function managedIdentityRequests(since: number) {
  return standIn.requests.slice(since).filter((request) => request.path === '/msi/token');
}

function lastStart(): string {
  return requestsFor(standIn, SERVICE).starts.pop()!.headers.authorization ?? '';
}

describe('managed identity', () => {
  it('signs in with the system-assigned identity of the runner machine', async () => {
    const since = standIn.requests.length;

    const result = await run({ auth: 'managed-identity' }, managedIdentityEnv(standIn));

    expect(result.errorMessage).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Signing in with managed-identity: auth is managed-identity.');
    const [tokenRequest] = managedIdentityRequests(since);
    expect(tokenRequest.query.client_id).toBeUndefined();
    expect(tokenRequest.headers['x-identity-header']).toBe(standIn.managedIdentity.header);
    expect(leakedSecrets(result, [...standIn.issuedTokens, STORAGE_KEY])).toEqual([]);
  });

  it('signs in with a user-assigned identity when client-id is given', async () => {
    const since = standIn.requests.length;
    const userAssigned = standIn.managedIdentity.userAssigned[0];

    const result = await run(
      { auth: 'managed-identity', 'client-id': userAssigned },
      managedIdentityEnv(standIn),
    );

    expect(result.exitCode).toBe(0);
    expect(managedIdentityRequests(since).map((request) => request.query.client_id)).toEqual([userAssigned]);
  });

  it('is what auto falls back to, saying why', async () => {
    const result = await run({}, managedIdentityEnv(standIn));

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'Signing in with managed-identity: no client secret, ID token or Azure CLI session',
    );
  });

  it('explains an unknown user-assigned identity', async () => {
    const result = await run(
      { auth: 'managed-identity', 'client-id': '99999999-0000-4000-8000-000000000000' },
      managedIdentityEnv(standIn),
    );

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('No Managed Identity found');
    expect(result.errorMessage).toContain(
      "What to do: The user-assigned identity with client ID '99999999-0000-4000-8000-000000000000' is not assigned to this machine.",
    );
  });
});

describe('Azure CLI session of an earlier azure/login', () => {
  it('signs in through az account get-access-token for the ARM endpoint', async () => {
    const { cli, env } = azureCli();
    const starts = requestsFor(standIn, SERVICE).starts.length;

    const result = await run({ auth: 'azure-cli' }, env);

    expect(result.errorMessage).toBe('');
    expect(result.exitCode).toBe(0);
    expect(cli.calls()[0]).toEqual(
      expect.arrayContaining(['account', 'get-access-token', '--resource', standIn.url]),
    );
    expect(requestsFor(standIn, SERVICE).starts.length).toBe(starts + 1);
    expect(lastStart()).toMatch(/^Bearer /);
    expect(leakedSecrets(result, [...standIn.issuedTokens, CLI_CLIENT_SECRET])).toEqual([]);
  });

  it('is chosen by auto when azure/login left a session and no secret or ID token is given', async () => {
    const { cli, env } = azureCli();

    const result = await run({}, { ...env, ...managedIdentityEnv(standIn) });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'Signing in with azure-cli: no client secret or ID token, and an Azure CLI',
    );
    expect(cli.calls().length).toBeGreaterThan(0);
  });

  it('says to run azure/login when az has no session', async () => {
    const { env } = azureCli(false);

    const result = await run({ auth: 'azure-cli' }, env);

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('Run azure/login (or az login) in an earlier step');
  });
});

describe('OIDC', () => {
  it('asks the runner for an ID token with the audience input, and exchanges it', async () => {
    const since = standIn.requests.length;

    const result = await run(
      {
        'tenant-id': TENANT_ID,
        'client-id': CUSTOM_AUDIENCE_CLIENT_ID,
        audience: 'api://contoso-federation',
      },
      githubIdTokenEnv(standIn),
    );

    expect(result.errorMessage).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'Signing in with oidc: a client ID was given and the runner offers an ID token.',
    );
    const idTokenRequests = standIn.requests.slice(since).filter((r) => r.path === '/github/idtoken');
    expect(idTokenRequests.map((request) => request.query.audience)).toEqual(['api://contoso-federation']);
  });

  it('prefers a client secret over OIDC under auto', async () => {
    const since = standIn.requests.length;

    const result = await run(
      { 'tenant-id': TENANT_ID, 'client-id': CLIENT_ID, 'client-secret': CLIENT_SECRET },
      githubIdTokenEnv(standIn),
    );

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Signing in with client-secret: a client secret was given.');
    expect(standIn.requests.slice(since).some((r) => r.path === '/github/idtoken')).toBe(false);
  });
});

describe('sign-in failures, explained', () => {
  const secretSignIn = { 'tenant-id': TENANT_ID, 'client-id': CLIENT_ID, 'client-secret': CLIENT_SECRET };

  it('AADSTS700016: the app does not exist in the tenant', async () => {
    const unknownApp = '11111111-2222-4333-8444-555555555555';

    const result = await run({ ...secretSignIn, 'client-id': unknownApp });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('AADSTS700016');
    expect(result.errorMessage).toContain(`No application with client ID '${unknownApp}' exists`);
    expect(result.errorMessage).toContain('Check client-id and tenant-id');
  });

  it('AADSTS7000215: the client secret is wrong', async () => {
    const wrongSecret = 'wrong~secret-that-must-stay-masked';

    const result = await run({ ...secretSignIn, 'client-secret': wrongSecret });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('AADSTS7000215');
    expect(result.errorMessage).toContain('The client secret is wrong or has expired');
    expect(leakedSecrets(result, [wrongSecret])).toEqual([]);
  });

  it("AADSTS70021: no federated credential matches, printing the runner token's subject to register", async () => {
    const subject = standIn.github.subject;
    standIn.github.subject = 'repo:contoso/apim-config:environment:prod';
    try {
      const result = await run({ 'tenant-id': TENANT_ID, 'client-id': CLIENT_ID }, githubIdTokenEnv(standIn));

      expect(result.exitCode).toBe(1);
      expect(result.errorMessage).toContain('AADSTS70021');
      expect(result.errorMessage).toContain(
        "Add one with issuer 'https://token.actions.githubusercontent.com', subject 'repo:contoso/apim-config:environment:prod' and audience 'api://AzureADTokenExchange'",
      );
    } finally {
      standIn.github.subject = subject;
    }
  });

  it('AADSTS90002 and the like: the tenant does not exist', async () => {
    const unknownTenant = '33333333-4444-4555-8666-777777777777';

    const result = await run({ ...secretSignIn, 'tenant-id': unknownTenant });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain(`Tenant '${unknownTenant}' was not found. Check tenant-id`);
  });

  it('AuthorizationFailed: names the role and the scope to grant', async () => {
    const principal = '77777777-8888-4999-8aaa-bbbbbbbbbbbb';
    standIn.addApp({ tenantId: TENANT_ID, clientId: principal, clientSecret: CLIENT_SECRET });
    standIn.deny(principal);

    const result = await run({ ...secretSignIn, 'client-id': principal });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('AuthorizationFailed');
    expect(result.errorMessage).toContain("Grant it 'API Management Service Contributor'");
    expect(result.errorMessage).toContain(
      `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}`,
    );
  });

  it('SubscriptionNotFound: the subscription is wrong', async () => {
    const otherSubscription = 'deadbeef-0000-4000-8000-000000000000';

    const result = await run({ ...secretSignIn, 'subscription-id': otherSubscription });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('SubscriptionNotFound');
    expect(result.errorMessage).toContain(
      `Subscription '${otherSubscription}' was not found, or the identity has no access to it. Check subscription-id`,
    );
  });
});

describe('an expired ID token from the runner', () => {
  let skewed: StandIn;

  beforeAll(async () => {
    // Tokens already expired when handed out: what a runner with a wrong clock, or a stale token, produces.
    skewed = await startRegisteredStandIn({ idTokenLifetimeSeconds: -600 });
    skewed.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name: SERVICE });
  });

  afterAll(async () => {
    await skewed?.close();
  });

  it('AADSTS700024: says the assertion expired', async () => {
    const result = await runGitHubAction({
      inputs: {
        ...githubInputs(standIn, storageInputs({ 'tenant-id': TENANT_ID, 'client-id': CLIENT_ID })),
        'resource-manager-endpoint': skewed.url,
        'authority-host': skewed.url,
      },
      env: githubIdTokenEnv(skewed),
      caCertPath: skewed.caCertPath,
    });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('AADSTS700024');
    expect(result.errorMessage).toContain('expired ID token');
    expect(leakedSecrets(result, skewed.issuedTokens)).toEqual([]);
  });
});
