/**
 * Proves the stand-ins with the real SDKs: @azure/identity signs in against the Entra stand-in and
 * @azure/arm-apimanagement drives backup/restore against the ARM stand-in, over TLS that really is verified
 * (tlsOptions.ca in process; NODE_EXTRA_CA_CERTS in a child process).
 */
import { execFile } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AccessToken, TokenCredential } from '@azure/core-auth';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import {
  AzurePipelinesCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import {
  Azurite,
  backupBlobContent,
  createAzuriteBlobStore,
  createClientCertificate,
  createMemoryBlobStore,
  decodeJwt,
  GITHUB_ISSUER,
  AZURE_DEVOPS_ISSUER,
  objectIdOf,
  parseBackupBlob,
  ServiceSpec,
  StandIn,
  startAzurite,
  startStandIn,
} from '.';
import { signJwt } from './jwt';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0b6c1e5a-3f1d-4a8e-9c52-7d1e2f3a4b5c';
const SECRET = 'stand-in-secret';
const SUBSCRIPTION = 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff';
const RG = 'rg-apim';
const FAST = { updateIntervalInMs: 50 };
const KEYED = {
  storageAccount: 'stbackups',
  containerName: 'apim',
  accessType: 'AccessKey' as const,
  accessKey: 'k',
};

let standIn: StandIn;
const memory = createMemoryBlobStore();

const tls = () => ({ tlsOptions: { ca: [standIn.caCertPem] } });
const signInOptions = () => ({ authorityHost: standIn.url, disableInstanceDiscovery: true, ...tls() });
const secretCredential = (clientId = CLIENT, secret = SECRET, tenant = TENANT) =>
  new ClientSecretCredential(tenant, clientId, secret, signInOptions());
const arm = (credential: TokenCredential = secretCredential()) =>
  new ApiManagementClient(credential, SUBSCRIPTION, { endpoint: standIn.url, ...tls() });
const staticToken = (token: string): TokenCredential => ({
  getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
});
const scope = () => `${standIn.url}/.default`;
const service = (name: string, behaviour: Partial<ServiceSpec> = {}) =>
  standIn.addService({ subscriptionId: SUBSCRIPTION, resourceGroup: RG, name, ...behaviour });

/** A raw https call trusting only the stand-in's CA. */
function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; ca?: string | null } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const ca = init.ca === null ? undefined : (init.ca ?? standIn.caCertPem);
    const request = httpsRequest(
      url,
      { method: init.method ?? 'GET', headers: init.headers, ca },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}

async function githubIdToken(audience = 'api://AzureADTokenExchange'): Promise<string> {
  const response = await call(`${standIn.github.requestUrl}&audience=${encodeURIComponent(audience)}`, {
    headers: { authorization: `Bearer ${standIn.github.requestToken}` },
  });
  return (JSON.parse(response.body) as { value: string }).value;
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: { code?: string; statusCode?: number; message: string }) => error,
  );

beforeAll(async () => {
  standIn = await startStandIn({ blobStore: memory });
  standIn.addApp({
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: SECRET,
    federatedCredentials: [
      { issuer: GITHUB_ISSUER, subject: standIn.github.subject },
      { issuer: AZURE_DEVOPS_ISSUER, subject: standIn.azureDevOps.subject },
    ],
  });
});

afterAll(() => standIn?.close());

describe('TLS', () => {
  it('is verified: refused without the CA, accepted by a child process given NODE_EXTRA_CA_CERTS', async () => {
    service('apim-tls');
    await expect(call(`${standIn.url}/x`, { ca: null })).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });

    const script = `
      const { ClientSecretCredential } = require('@azure/identity');
      const { ApiManagementClient } = require('@azure/arm-apimanagement');
      const [url, tenant, client, secret, sub, rg] = process.argv.slice(1);
      const credential = new ClientSecretCredential(tenant, client, secret, { authorityHost: url, disableInstanceDiscovery: true });
      new ApiManagementClient(credential, sub, { endpoint: url }).apiManagementService.get(rg, 'apim-tls')
        .then((s) => console.log(s.provisioningState), (e) => { console.error(e.message); process.exit(1); });`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', script, standIn.url, TENANT, CLIENT, SECRET, SUBSCRIPTION, RG],
      { cwd: join(__dirname, '..', '..'), env: { ...process.env, NODE_EXTRA_CA_CERTS: standIn.caCertPath } },
    );
    expect(stdout.trim()).toBe('Succeeded');
  });
});

describe('client secret sign-in and ARM', () => {
  it('gets the service, backs up and restores, and records every request', async () => {
    const state = service('apim-round-trip');
    const client = arm();

    const got = await client.apiManagementService.get(RG, 'apim-round-trip');
    expect(got).toMatchObject({
      name: 'apim-round-trip',
      sku: { name: 'Developer' },
      provisioningState: 'Succeeded',
    });

    const params = { ...KEYED, backupName: 'round-trip.apimbackup' };
    const backedUp = await client.apiManagementService.beginBackupAndWait(
      RG,
      'apim-round-trip',
      params,
      FAST,
    );
    expect(backedUp.provisioningState).toBe('Succeeded');
    const blob = parseBackupBlob(memory.blobs.get('stbackups/apim/round-trip.apimbackup') ?? '');
    expect(blob).toMatchObject({ service: 'apim-round-trip', sku: 'Developer' });

    await client.apiManagementService.beginRestoreAndWait(RG, 'apim-round-trip', params, FAST);
    expect(state.operations.map((o) => [o.kind, o.status])).toEqual([
      ['backup', 'Succeeded'],
      ['restore', 'Succeeded'],
    ]);

    const token = standIn.requests.find((r) => r.path === `/${TENANT}/oauth2/v2.0/token`)!;
    const form = new URLSearchParams(token.body);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('client_id')).toBe(CLIENT);
    expect(form.get('client_secret')).toBe(SECRET);
    expect(form.get('scope')).toBe(scope());
    expect(standIn.requests.some((r) => r.path === `/${TENANT}/v2.0/.well-known/openid-configuration`)).toBe(
      true,
    );

    const armRequests = standIn.requests.filter((r) => r.path.includes('/service/apim-round-trip'));
    const start = armRequests.find((r) => r.path.endsWith('/backup'))!;
    expect(start).toMatchObject({ method: 'POST', status: 202, query: { 'api-version': '2024-05-01' } });
    expect(JSON.parse(start.body)).toEqual(params);
    expect(standIn.issuedTokens).toContain(start.headers.authorization.replace('Bearer ', ''));
    const polls = armRequests.filter((r) => r.path.includes('/operationresults/'));
    // The SDK polls twice back to back after the start, then every interval: 202 once, then 200 (twice over).
    expect(polls.map((r) => r.status)).toEqual([202, 200, 202, 200]);
  });

  it('answers ARM errors: 404, 401 with a challenge, expired token, missing api-version, 403 when denied', async () => {
    const client = arm();
    const missing = await rejection(client.apiManagementService.get(RG, 'apim-nowhere'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    expect(missing.message).toContain(
      "The Resource 'Microsoft.ApiManagement/service/apim-nowhere' under resource group",
    );

    service('apim-errors');
    const bogus = await rejection(
      arm(staticToken('not-a-token')).apiManagementService.get(RG, 'apim-errors'),
    );
    expect(bogus).toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
    const raw = await call(
      `${standIn.url}/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/apim-errors`,
    );
    expect(raw.status).toBe(401);
    expect(raw.headers['www-authenticate']).toMatch(/^Bearer authorization_uri=".+", error="invalid_token"/);

    const token = (await secretCredential().getToken(scope())).token;
    const noVersion = await call(
      `${standIn.url}/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/apim-errors`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(noVersion.status).toBe(400);
    expect(JSON.parse(noVersion.body).error.code).toBe('MissingApiVersionParameter');

    const shortLived = await startStandIn({ accessTokenLifetimeSeconds: 1 });
    try {
      shortLived.addApp({ tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET });
      shortLived.addService({ subscriptionId: SUBSCRIPTION, resourceGroup: RG, name: 'apim-errors' });
      const options = {
        authorityHost: shortLived.url,
        disableInstanceDiscovery: true,
        tlsOptions: { ca: [shortLived.caCertPem] },
      };
      const stale = await new ClientSecretCredential(TENANT, CLIENT, SECRET, options).getToken(
        `${shortLived.url}/.default`,
      );
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const expiredClient = new ApiManagementClient(staticToken(stale.token), SUBSCRIPTION, {
        endpoint: shortLived.url,
        ...options,
      });
      const expired = await rejection(expiredClient.apiManagementService.get(RG, 'apim-errors'));
      expect(expired).toMatchObject({ statusCode: 401, code: 'ExpiredAuthenticationToken' });
    } finally {
      await shortLived.close();
    }

    const denied = 'c0ffee00-1111-4222-8333-444455556666';
    standIn.addApp({ tenantId: TENANT, clientId: denied, clientSecret: SECRET });
    standIn.deny(denied);
    const params = { ...KEYED, backupName: 'denied.apimbackup' };
    const forbidden = await rejection(
      arm(secretCredential(denied)).apiManagementService.beginBackup(RG, 'apim-errors', params),
    );
    expect(forbidden).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect(forbidden.message).toContain(`The client '${denied}' with object id '`);
    expect(forbidden.message).toContain(
      `perform action 'Microsoft.ApiManagement/service/backup/action' over scope '/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/apim-errors'`,
    );
  });
});

describe('Entra errors', () => {
  it('answers AADSTS700016, 7000215 and 90002 in the Entra error shape', async () => {
    const unknownApp = await rejection(
      secretCredential('11111111-2222-4333-8444-555555555555').getToken(scope()),
    );
    expect(unknownApp.message).toContain('AADSTS700016: Application with identifier');
    const badSecret = await rejection(secretCredential(CLIENT, 'wrong').getToken(scope()));
    expect(badSecret.message).toContain('AADSTS7000215: Invalid client secret provided.');
    // MSAL reads the OpenID configuration first; its 400 surfaces as endpoints_resolution_error, not AADSTS90002.
    const noTenant = await rejection(
      secretCredential(CLIENT, SECRET, 'contoso.onmicrosoft.com').getToken(scope()),
    );
    expect(noTenant.message).toContain('endpoints_resolution_error');
    const config = await call(`${standIn.url}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
    expect(config.status).toBe(400);
    expect(JSON.parse(config.body)).toMatchObject({
      error: 'invalid_tenant',
      error_codes: [90002],
      error_description: expect.stringContaining("AADSTS90002: Tenant 'contoso.onmicrosoft.com' not found."),
    });

    const raw = await call(`${standIn.url}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'client-request-id': 'corr-1' },
      body: `grant_type=client_credentials&client_id=${CLIENT}&client_secret=wrong&scope=${encodeURIComponent(scope())}`,
    });
    expect(raw.status).toBe(401);
    expect(JSON.parse(raw.body)).toEqual({
      error: 'invalid_client',
      error_description: expect.stringMatching(
        /^AADSTS7000215: .* Trace ID: \S+ Correlation ID: corr-1 Timestamp: /,
      ),
      error_codes: [7000215],
      timestamp: expect.any(String),
      trace_id: expect.any(String),
      correlation_id: 'corr-1',
      error_uri: `${standIn.url}/error?code=7000215`,
    });
  });
});

describe('federated sign-in', () => {
  it('exchanges a GitHub ID token through ClientAssertionCredential', async () => {
    service('apim-github');
    const idToken = await githubIdToken();
    expect(decodeJwt(idToken)?.claims).toMatchObject({
      iss: GITHUB_ISSUER,
      sub: 'repo:contoso/apim-config:ref:refs/heads/main',
      aud: 'api://AzureADTokenExchange',
    });
    const credential = new ClientAssertionCredential(TENANT, CLIENT, async () => idToken, signInOptions());
    await expect(arm(credential).apiManagementService.get(RG, 'apim-github')).resolves.toMatchObject({
      name: 'apim-github',
    });
    expect((await call(standIn.github.requestUrl)).status).toBe(401);
  });

  it('refuses expired and unmatched assertions with AADSTS700024 and AADSTS70021', async () => {
    const assertion = (token: string) =>
      new ClientAssertionCredential(TENANT, CLIENT, async () => token, signInOptions());
    const expiredToken = standIn.mintIdToken({
      iss: GITHUB_ISSUER,
      sub: standIn.github.subject,
      aud: 'api://AzureADTokenExchange',
      lifetimeSeconds: -60,
    });
    const expired = await rejection(assertion(expiredToken).getToken(scope()));
    expect(expired.message).toMatch(
      /AADSTS700024: Client assertion is not within its valid time range. Current time: .+, assertion valid from .+, expiry time of assertion .+\./,
    );

    // GitHub's default audience is the owner's URL, which no federated credential names.
    const defaultAudience = (
      await call(standIn.github.requestUrl, {
        headers: { authorization: `Bearer ${standIn.github.requestToken}` },
      })
    ).body;
    const unmatched = await rejection(assertion(JSON.parse(defaultAudience).value).getToken(scope()));
    expect(unmatched.message).toContain(
      `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${GITHUB_ISSUER}'. Assertion Subject: 'repo:contoso/apim-config:ref:refs/heads/main'. Assertion Audience: 'https://github.com/contoso'.`,
    );
  });

  it('exchanges an Azure DevOps service-connection token through AzurePipelinesCredential', async () => {
    service('apim-ado');
    process.env.SYSTEM_OIDCREQUESTURI = standIn.azureDevOps.oidcRequestUri;
    try {
      const credential = new AzurePipelinesCredential(
        TENANT,
        CLIENT,
        'conn-1',
        standIn.azureDevOps.systemAccessToken,
        signInOptions(),
      );
      await expect(arm(credential).apiManagementService.get(RG, 'apim-ado')).resolves.toMatchObject({
        name: 'apim-ado',
      });
    } finally {
      delete process.env.SYSTEM_OIDCREQUESTURI;
    }
    const oidc = standIn.requests.filter((r) => r.path === '/ado/oidctoken').pop()!;
    expect(oidc).toMatchObject({
      method: 'POST',
      status: 200,
      query: { 'api-version': '7.1', serviceConnectionId: 'conn-1' },
    });
  });
});

describe('certificate sign-in', () => {
  it('accepts MSAL PS256 / x5t#S256 assertions and RS256 / x5t ones, and refuses an unregistered certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'client-cert-'));
    const certificate = createClientCertificate(dir);
    const stranger = createClientCertificate(dir, 'stranger');
    const clientId = '22222222-3333-4444-8555-666666666666';
    standIn.addApp({ tenantId: TENANT, clientId, certificatePem: certificate.certPem });

    const msal = new ClientCertificateCredential(
      TENANT,
      clientId,
      { certificate: certificate.pem },
      signInOptions(),
    );
    await expect(msal.getToken(scope())).resolves.toMatchObject({
      token: expect.stringMatching(/^stand-in\./),
    });
    const sent = new URLSearchParams(standIn.requests.filter((r) => r.path.endsWith('/token')).pop()!.body);
    expect(decodeJwt(sent.get('client_assertion')!)?.header).toMatchObject({
      alg: 'PS256',
      'x5t#S256': certificate.thumbprintSha256Base64Url,
    });

    const now = Math.floor(Date.now() / 1000);
    const rs256 = signJwt(
      {
        aud: `${standIn.url}/${TENANT}/oauth2/v2.0/token`,
        iss: clientId,
        sub: clientId,
        jti: 'j',
        nbf: now,
        exp: now + 600,
      },
      createPrivateKey(certificate.keyPem),
      { x5t: certificate.thumbprintBase64Url },
    );
    const manual = new ClientAssertionCredential(TENANT, clientId, async () => rs256, signInOptions());
    await expect(manual.getToken(scope())).resolves.toBeTruthy();

    const wrong = new ClientCertificateCredential(
      TENANT,
      clientId,
      { certificate: stranger.pem },
      signInOptions(),
    );
    const refused = await rejection(wrong.getToken(scope()));
    expect(refused.message).toContain(`Thumbprint of key used by client: '${stranger.thumbprintSha256}'`);
    expect(refused.message).toContain('AADSTS700027');
  });
});

describe('managed identity', () => {
  it('issues tokens through IDENTITY_ENDPOINT for system- and user-assigned identities', async () => {
    service('apim-msi');
    process.env.IDENTITY_ENDPOINT = standIn.managedIdentity.endpoint;
    process.env.IDENTITY_HEADER = standIn.managedIdentity.header;
    try {
      const system = new ManagedIdentityCredential(tls());
      await expect(arm(system).apiManagementService.get(RG, 'apim-msi')).resolves.toMatchObject({
        name: 'apim-msi',
      });
      const user = new ManagedIdentityCredential({
        clientId: standIn.managedIdentity.userAssigned[0],
        ...tls(),
      });
      await expect(user.getToken(scope())).resolves.toBeTruthy();
      const unknown = new ManagedIdentityCredential({
        clientId: '99999999-0000-4000-8000-000000000000',
        ...tls(),
      });
      await expect(unknown.getToken(scope())).rejects.toThrow(/No Managed Identity found/);
    } finally {
      delete process.env.IDENTITY_ENDPOINT;
      delete process.env.IDENTITY_HEADER;
    }
    const requests = standIn.requests.filter((r) => r.path === '/msi/token');
    expect(requests[0]).toMatchObject({
      method: 'GET',
      query: { 'api-version': '2019-08-01', resource: standIn.url },
      headers: { 'x-identity-header': standIn.managedIdentity.header },
    });
    expect(requests[1].query.client_id).toBe(standIn.managedIdentity.userAssigned[0]);
  });
});

describe('what the pre-flight checks read', () => {
  const get = async (path: string, query = '') => {
    const token = (await secretCredential().getToken(scope())).token;
    const response = await call(`${standIn.url}${path}?api-version=2023-05-01${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: JSON.parse(response.body) };
  };

  it('shows an instance’s identities, network and workspace links as the SDK reads them', async () => {
    const userAssigned = '5f0c2b1e-7d3a-4c8e-9b6f-1a2b3c4d5e6f';
    const subnet = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/apim`;
    const added = service('apim-preflight', {
      identity: 'SystemAssigned, UserAssigned',
      userAssignedClientIds: [userAssigned],
      virtualNetworkType: 'External',
      subnetResourceId: subnet,
      publicIPAddresses: ['20.50.0.11'],
      workspaceGateways: [{ workspace: 'team-a', gateways: ['gw-1', 'gw-2'] }],
    });
    const read = await arm().apiManagementService.get(RG, 'apim-preflight');
    expect(read.identity?.type).toBe('SystemAssigned, UserAssigned');
    expect(read.identity?.principalId).toBe(added.principalId);
    expect(Object.values(read.identity?.userAssignedIdentities ?? {})).toEqual([
      { clientId: userAssigned, principalId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    ]);
    expect(read.publicIPAddresses).toEqual(['20.50.0.11']);
    expect(read.virtualNetworkType).toBe('External');
    expect(read.virtualNetworkConfiguration?.subnetResourceId).toBe(subnet);
    const links = [];
    for await (const link of arm().apiManagementWorkspaceLinks.listByService(RG, 'apim-preflight'))
      links.push(link);
    expect(links).toEqual([
      expect.objectContaining({
        name: 'team-a',
        workspaceId: `${added.id}/workspaces/team-a`,
        gateways: [
          {
            id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/gateways/gw-1`,
          },
          {
            id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/gateways/gw-2`,
          },
        ],
      }),
    ]);
  });

  it('lists and reads storage accounts and their Blob service, and answers ARM’s not-found errors', async () => {
    const account = standIn.addStorageAccount({
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-storage',
      name: 'stpreflight',
      allowSharedKeyAccess: false,
      networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: ['20.50.0.0/24'] },
      corsRules: [{ allowedOrigins: ['*'], allowedMethods: ['GET'] }],
    });
    const list = await get(`/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Storage/storageAccounts`);
    expect(list.status).toBe(200);
    expect(list.body.value.map((item: { id: string }) => item.id)).toContain(account.id);
    const one = await get(account.id);
    expect(one.body.properties).toMatchObject({
      allowSharedKeyAccess: false,
      networkAcls: {
        defaultAction: 'Deny',
        bypass: 'None',
        ipRules: [{ value: '20.50.0.0/24', action: 'Allow' }],
      },
    });
    const blob = await get(`${account.id}/blobServices/default`);
    expect(blob.body.properties.cors.corsRules).toEqual([expect.objectContaining({ allowedOrigins: ['*'] })]);
    expect((await get(account.id.replace('stpreflight', 'stnowhere'))).body.error.code).toBe(
      'ResourceNotFound',
    );
    expect((await get(account.id.replace('rg-storage', 'rg-nowhere'))).body.error.code).toBe(
      'ResourceGroupNotFound',
    );
  });

  it('lists role assignments by assignedTo at, above and below a scope, role definitions, and the caller’s permissions', async () => {
    const added = service('apim-roles');
    const account = standIn.addStorageAccount({
      subscriptionId: SUBSCRIPTION,
      resourceGroup: RG,
      name: 'stroles',
    });
    const custom = standIn.authorization.addCustomRole(
      'Backup writer',
      { dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'] },
      [account.id],
    );
    standIn.authorization.assign(
      added.principalId!,
      custom,
      `${account.id}/blobServices/default/containers/apim`,
    );
    standIn.authorization.assign(
      added.principalId!,
      'Reader',
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/other`,
    );
    const filter = `&$filter=${encodeURIComponent(`assignedTo('${added.principalId}')`)}`;
    const assignments = await get(`${account.id}/providers/Microsoft.Authorization/roleAssignments`, filter);
    expect(assignments.status).toBe(200);
    // The default data role on the subscription (above), the custom role on a container (below); not the other group.
    expect(
      assignments.body.value.map((item: { properties: { scope: string } }) => item.properties.scope),
    ).toEqual([`/subscriptions/${SUBSCRIPTION}`, `${account.id}/blobServices/default/containers/apim`]);
    const definitions = await get(`${account.id}/providers/Microsoft.Authorization/roleDefinitions`);
    const names = definitions.body.value.map(
      (item: { properties: { roleName: string } }) => item.properties.roleName,
    );
    expect(names).toEqual(
      expect.arrayContaining(['Storage Blob Data Contributor', 'Backup writer', 'Reader']),
    );
    const subscriptionDefinitions = await get(
      `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions`,
    );
    expect(subscriptionDefinitions.body.value.map((item: { name: string }) => item.name)).not.toContain(
      custom,
    );
    const byId = await get(
      `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${custom}`,
    );
    expect(byId.body.properties.permissions[0].dataActions).toEqual([
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
    ]);

    standIn.authorization.assign(objectIdOf(CLIENT), 'Storage Blob Data Reader', account.id);
    const permissions = await get(`${account.id}/providers/Microsoft.Authorization/permissions`);
    expect(permissions.body.value).toEqual([
      expect.objectContaining({
        dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
      }),
    ]);

    standIn.denyReads(CLIENT, ['Microsoft.Storage', 'Microsoft.Authorization']);
    try {
      const refused = await get(`${account.id}/providers/Microsoft.Authorization/roleAssignments`, filter);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('AuthorizationFailed');
      expect(refused.body.error.message).toContain("'Microsoft.Authorization/roleAssignments/read'");
      expect((await get(account.id)).status).toBe(403);
      // Anyone may read their own permissions.
      expect((await get(`${account.id}/providers/Microsoft.Authorization/permissions`)).status).toBe(200);
    } finally {
      standIn.allowReads(CLIENT);
    }
  });
});

describe('operation behaviour', () => {
  it('conflicts while an operation runs, then lets it finish', async () => {
    const state = service('apim-busy', { neverFinishes: true });
    const client = arm();
    const poller = await client.apiManagementService.beginBackup(
      RG,
      'apim-busy',
      { ...KEYED, backupName: 'a' },
      FAST,
    );
    expect((await client.apiManagementService.get(RG, 'apim-busy')).provisioningState).toBe('Updating');
    const conflict = await rejection(
      client.apiManagementService.beginBackup(RG, 'apim-busy', { ...KEYED, backupName: 'b' }),
    );
    expect(conflict).toMatchObject({ statusCode: 409, code: 'Conflict' });
    expect(conflict.message).toContain('another operation is in progress');

    state.behaviour.neverFinishes = false;
    await poller.pollUntilDone();
    expect(state.provisioningState).toBe('Succeeded');
  });

  it('the instance leaves Updating when the operation’s time is up; the status URL answers 202 until asked after that', async () => {
    const state = service('apim-time-up', { operationMs: 400, operationPolls: 0, retryAfterSeconds: 60 });
    const client = arm();
    const poller = await client.apiManagementService.beginBackup(RG, 'apim-time-up', {
      ...KEYED,
      backupName: 'u',
    });
    expect((await client.apiManagementService.get(RG, 'apim-time-up')).provisioningState).toBe('Updating');
    const [operation] = state.operations;
    await new Promise((resolve) => setTimeout(resolve, 450));
    // Not asked since: the instance has left Updating all the same, and the outcome waits for the next question.
    expect((await client.apiManagementService.get(RG, 'apim-time-up')).provisioningState).toBe('Succeeded');
    expect(operation.status).toBe('InProgress');
    const answer = await call(operation.url, {
      headers: { authorization: `Bearer ${(await secretCredential().getToken(scope())).token}` },
    });
    expect(answer.status).toBe(200);
    expect(operation.status).toBe('Succeeded');
    await poller.pollUntilDone();
  });

  it('updatingMs: the instance leaves Updating before the operation is done, or stays Updating after', async () => {
    const client = arm();
    const token = (await secretCredential().getToken(scope())).token;
    const ask = (url: string) => call(url, { headers: { authorization: `Bearer ${token}` } });
    const early = service('apim-early', { operationMs: 60_000, updatingMs: 0 });
    await client.apiManagementService.beginBackup(RG, 'apim-early', { ...KEYED, backupName: 'e' });
    expect((await client.apiManagementService.get(RG, 'apim-early')).provisioningState).toBe('Succeeded');
    expect((await ask(early.operations[0].url)).status).toBe(202);

    const stuck = service('apim-stuck', { operationPolls: 0, updatingMs: Infinity });
    await client.apiManagementService.beginBackup(RG, 'apim-stuck', { ...KEYED, backupName: 's' });
    expect((await ask(stuck.operations[0].url)).status).toBe(200);
    expect((await client.apiManagementService.get(RG, 'apim-stuck')).provisioningState).toBe('Updating');
  });

  it('rides out 429s (the pipeline retries on Retry-After) and honours Retry-After on 202 polls', async () => {
    const state = service('apim-throttled', { throttledPolls: 2, operationPolls: 2, retryAfterSeconds: 1 });
    await arm().apiManagementService.beginBackupAndWait(
      RG,
      'apim-throttled',
      { ...KEYED, backupName: 't' },
      FAST,
    );
    const requests = standIn.requests.filter((r) => r.path.includes('/service/apim-throttled/'));
    expect(requests.map((r) => r.status)).toEqual([202, 429, 429, 202, 202, 200]);
    // The poll after the second 202 waited for Retry-After (1 s), not for updateIntervalInMs (50 ms).
    expect(requests[5].at - requests[4].at).toBeGreaterThanOrEqual(950);
    expect(state.operations[0]).toMatchObject({ status: 'Succeeded', polls: 5 });
  });

  it('fails with the configured error, a startError, or a validation error', async () => {
    const client = arm();
    service('apim-fails', {
      failure: { code: 'BackupFailed', message: 'The remote server returned an error: (403) Forbidden.' },
    });
    const failed = await rejection(
      client.apiManagementService.beginBackupAndWait(RG, 'apim-fails', { ...KEYED, backupName: 'f' }, FAST),
    );
    expect(failed).toMatchObject({ statusCode: 400, code: 'BackupFailed' });

    service('apim-start', {
      startError: { status: 409, code: 'Conflict', message: 'Another operation is in progress.' },
    });
    await expect(
      client.apiManagementService.beginBackup(RG, 'apim-start', { ...KEYED, backupName: 's' }),
    ).rejects.toMatchObject({
      statusCode: 409,
      code: 'Conflict',
    });

    service('apim-invalid');
    const invalid = await rejection(
      client.apiManagementService.beginBackup(RG, 'apim-invalid', {
        storageAccount: 'st',
        containerName: 'c',
        backupName: 'x',
      }),
    );
    expect(invalid).toMatchObject({ statusCode: 400, code: 'ValidationError' });
    expect(invalid.message).toContain("The 'accessKey' field is required when accessType is 'AccessKey'.");
  });

  it('refuses to restore an expired backup or one of another SKU', async () => {
    const client = arm();
    const plant = (blob: string, sku: string, ageDays: number) =>
      memory.write(
        'stbackups',
        'apim',
        blob,
        backupBlobContent({
          service: 'apim-src',
          sku,
          createdAt: new Date(Date.now() - ageDays * 86_400_000),
        }),
      );
    await plant('old.apimbackup', 'Developer', 40);
    await plant('dev.apimbackup', 'Developer', 1);
    service('apim-target', { sku: 'Premium' });
    service('apim-target-dev');

    const expired = await rejection(
      client.apiManagementService.beginRestoreAndWait(
        RG,
        'apim-target-dev',
        { ...KEYED, backupName: 'old.apimbackup' },
        FAST,
      ),
    );
    expect(expired).toMatchObject({ code: 'RestoreFailed', message: 'Cannot restore: backup expired' });
    const tier = await rejection(
      client.apiManagementService.beginRestoreAndWait(
        RG,
        'apim-target',
        { ...KEYED, backupName: 'dev.apimbackup' },
        FAST,
      ),
    );
    expect(tier).toMatchObject({
      code: 'RestoreFailed',
      message: "Cannot restore: current SKU is 'Premium', backup SKU is 'Developer'",
    });
  });
});

describe('Azurite blob store', () => {
  let azurite: Azurite;
  let withAzurite: StandIn;

  beforeAll(async () => {
    azurite = await startAzurite();
    withAzurite = await startStandIn({ blobStore: createAzuriteBlobStore(azurite) });
    withAzurite.addApp({ tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET });
    withAzurite.addService({ subscriptionId: SUBSCRIPTION, resourceGroup: RG, name: 'apim-azurite' });
  });

  afterAll(async () => {
    await withAzurite?.close();
    await azurite?.close();
  });

  it('backs up into Azurite, and fails a restore of a missing blob or with a wrong key', async () => {
    const options = {
      authorityHost: withAzurite.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: [withAzurite.caCertPem] },
    };
    const credential = new ClientSecretCredential(TENANT, CLIENT, SECRET, options);
    const client = new ApiManagementClient(credential, SUBSCRIPTION, {
      endpoint: withAzurite.url,
      ...options,
    });
    const params = { storageAccount: 'anyaccount', containerName: 'backups', accessKey: azurite.accountKey };

    await client.apiManagementService.beginBackupAndWait(
      RG,
      'apim-azurite',
      { ...params, backupName: 'nightly/a.apimbackup' },
      FAST,
    );
    const blobs = new BlobServiceClient(
      azurite.blobEndpoint,
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    );
    const content = await blobs
      .getContainerClient('backups')
      .getBlobClient('nightly/a.apimbackup')
      .downloadToBuffer();
    expect(parseBackupBlob(content.toString('utf8'))).toMatchObject({
      service: 'apim-azurite',
      sku: 'Developer',
    });

    const missing = await rejection(
      client.apiManagementService.beginRestoreAndWait(
        RG,
        'apim-azurite',
        { ...params, backupName: 'nope.apimbackup' },
        FAST,
      ),
    );
    expect(missing).toMatchObject({ statusCode: 400, code: 'RestoreFailed' });
    expect(missing.message).toContain("backup blob 'nope.apimbackup' was not found in container 'backups'");

    const wrongKey = {
      ...params,
      accessKey: Buffer.from('wrong key').toString('base64'),
      backupName: 'b.apimbackup',
    };
    const denied = await rejection(
      client.apiManagementService.beginBackupAndWait(RG, 'apim-azurite', wrongKey, FAST),
    );
    expect(denied).toMatchObject({ code: 'BackupFailed' });
    expect(denied.message).toContain('(403) Forbidden');
  });
});

describe('service list', () => {
  it('lists a subscription’s or a resource group’s services with their tags, a page at a time through nextLink', async () => {
    const subscription = 'b2c3d4e5-f6a7-4811-9900-bbccddeeff00';
    const add = (resourceGroup: string, name: string, spec: Partial<ServiceSpec> = {}) =>
      standIn.addService({ subscriptionId: subscription, resourceGroup, name, ...spec });
    add('rg-one', 'apim-one-a', { tags: { env: 'prod' } });
    add('rg-one', 'apim-one-b', { sku: 'StandardV2' });
    add('rg-two', 'apim-two-a', { location: 'North Europe' });
    const client = new ApiManagementClient(secretCredential(), subscription, {
      endpoint: standIn.url,
      ...tls(),
    });
    const before = standIn.requests.length;

    const all = [];
    for await (const resource of client.apiManagementService.list()) all.push(resource);
    expect(
      all.map((resource) => [resource.name, resource.sku.name, resource.location, resource.tags]),
    ).toEqual([
      ['apim-one-a', 'Developer', 'West Europe', { env: 'prod' }],
      ['apim-one-b', 'StandardV2', 'West Europe', {}],
      ['apim-two-a', 'Developer', 'North Europe', {}],
    ]);
    expect(all[2].id).toBe(
      `/subscriptions/${subscription}/resourceGroups/rg-two/providers/Microsoft.ApiManagement/service/apim-two-a`,
    );
    // Two to a page: the third came through the nextLink, which carries the api-version and a $skipToken.
    const pages = standIn.requests.slice(before).filter((request) => /\/service$/i.test(request.path));
    expect(pages).toHaveLength(2);
    expect(pages[1].query).toMatchObject({
      'api-version': client.apiVersion,
      $skipToken: expect.any(String),
    });

    const inGroup = [];
    for await (const resource of client.apiManagementService.listByResourceGroup('rg-two'))
      inGroup.push(resource);
    expect(inGroup.map((resource) => resource.name)).toEqual(['apim-two-a']);

    const missingGroup = await rejection(
      (async () => {
        for await (const resource of client.apiManagementService.listByResourceGroup('rg-none'))
          void resource;
      })(),
    );
    expect(missingGroup).toMatchObject({ statusCode: 404, code: 'ResourceGroupNotFound' });
  });
});
