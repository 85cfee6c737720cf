/**
 * Every AzureRM service-connection scheme through dist/azure-devops/index.js: service principal with a
 * certificate, the agent's managed identity, the cloud taken from the connection, and the sign-in failures of
 * these schemes with the message the pipeline shows. (Secret and workload identity federation are in
 * azure-devops.test.ts.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientCertificate } from '../stand-in';
import { createClientCertificate } from '../stand-in';
import {
  azureDevOpsOidcEnv,
  azureRmConnection,
  CLIENT_ID,
  managedIdentityEnv,
  requestsFor,
  RESOURCE_GROUP,
  SUBSCRIPTION_ID,
  TENANT_ID,
  useLocalAzure,
} from './fixtures';
import { leakedSecrets, ServiceConnection } from './harness';

const CERTIFICATE_CLIENT_ID = '8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d';
const SERVICE = 'apim-ado-sign-in';

const standIn = useLocalAzure();
let certificate: ClientCertificate;
let strangerCertificate: ClientCertificate;

beforeAll(() => {
  standIn.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name: SERVICE });
  const dir = mkdtempSync(join(tmpdir(), 'spn-cert-'));
  certificate = createClientCertificate(dir);
  strangerCertificate = createClientCertificate(dir, 'stranger');
  standIn.addApp({
    tenantId: TENANT_ID,
    clientId: CERTIFICATE_CLIENT_ID,
    certificatePem: certificate.certPem,
  });
});

const connection = (
  scheme: ServiceConnection['scheme'],
  authParameters: Record<string, string>,
  data: Record<string, string> = {},
) => azureRmConnection(standIn, scheme, authParameters, data);

const certificateConnection = (pem: string) =>
  connection('ServicePrincipal', {
    authenticationType: 'spnCertificate',
    serviceprincipalid: CERTIFICATE_CLIENT_ID,
    servicePrincipalCertificate: pem,
  });

const managedIdentityConnection = () => connection('ManagedServiceIdentity', {});

function run(serviceConnection: ServiceConnection, env: NodeJS.ProcessEnv = {}) {
  return standIn.runAzureDevOps(
    { operation: 'backup', serviceName: SERVICE },
    { connection: serviceConnection, env },
  );
}

/** The private key's base64 body: what must never reach a log. */
const privateKeyBody = (cert: ClientCertificate) =>
  cert.keyPem
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .join('');

describe('service principal with a certificate (authenticationType spnCertificate)', () => {
  it('signs in with a certificate-signed assertion and backs up', async () => {
    const since = standIn.requests.length;

    const result = await run(certificateConnection(certificate.pem), { SYSTEM_DEBUG: 'true' });

    expect(result.errorMessage).toBe('');
    expect(result.result).toBe('Succeeded');
    expect(result.stdout).toContain('Signing in with client-certificate');
    const tokenRequest = standIn.requests
      .slice(since)
      .find((request) => request.path === `/${TENANT_ID}/oauth2/v2.0/token`)!;
    const form = new URLSearchParams(tokenRequest.body);
    expect(form.get('client_id')).toBe(CERTIFICATE_CLIENT_ID);
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(form.get('client_secret')).toBeNull();
    expect(requestsFor(standIn, SERVICE).starts.pop()!.path).toMatch(/\/backup$/);
    const keyLines = certificate.keyPem.split('\n').filter((line) => line.length > 40);
    expect(
      leakedSecrets(result, [privateKeyBody(certificate), ...keyLines, ...standIn.issuedTokens]),
    ).toEqual([]);
  });

  it('explains a certificate the app does not know (AADSTS700027)', async () => {
    const result = await run(certificateConnection(strangerCertificate.pem));

    expect(result.result).toBe('Failed');
    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('AADSTS700027');
    expect(result.errorMessage).toContain(
      `What to do: The certificate is not registered on app '${CERTIFICATE_CLIENT_ID}'`,
    );
  });

  it('refuses a connection whose certificate has no private key, before any request', async () => {
    const before = standIn.requests.length;

    const result = await run(certificateConnection(certificate.certPem));

    expect(result.result).toBe('Failed');
    expect(result.errorMessage).toContain(
      "the service connection's certificate is missing or has no private key",
    );
    expect(standIn.requests.length).toBe(before);
  });
});

describe("managed identity connection (the agent's identity)", () => {
  it("signs in with the agent machine's identity", async () => {
    const since = standIn.requests.length;

    const result = await run(managedIdentityConnection(), managedIdentityEnv(standIn));

    expect(result.errorMessage).toBe('');
    expect(result.result).toBe('Succeeded');
    expect(result.stdout).toContain('Signing in with managed-identity');
    const identityRequests = standIn.requests.slice(since).filter((request) => request.path === '/msi/token');
    expect(identityRequests).toHaveLength(1);
    expect(identityRequests[0].query.client_id).toBeUndefined();
    expect(leakedSecrets(result, standIn.issuedTokens)).toEqual([]);
  });

  it('says no managed identity is available on an agent without one', async () => {
    const result = await run(managedIdentityConnection(), {
      IDENTITY_ENDPOINT: standIn.managedIdentity.endpoint,
      IDENTITY_HEADER: 'not-the-header-of-this-machine',
    });

    expect(result.result).toBe('Failed');
    expect(result.errorMessage).toContain('ManagedIdentityCredential');
    expect(result.errorMessage).toContain('What to do: No managed identity is available here.');
  });
});

describe('the cloud comes from the connection', () => {
  // The storage domain each cloud implies is unit-tested (blobUrl); here storage is the local blob-endpoint.
  it.each([['AzureUSGovernment'], ['AzureChinaCloud']])(
    '%s: ARM and Entra are the connection’s, not the named cloud’s',
    async (environment) => {
      const since = standIn.requests.length;
      const cloudConnection = connection(
        'ServicePrincipal',
        { authenticationType: 'spnCertificate', serviceprincipalid: CERTIFICATE_CLIENT_ID },
        { environment },
      );
      cloudConnection.authParameters.servicePrincipalCertificate = certificate.pem;

      const result = await run(cloudConnection);

      expect(result.result).toBe('Succeeded');
      // Sign-in and the operation went to the connection's authority and ARM URL, not the named cloud's.
      const paths = standIn.requests.slice(since).map((request) => request.path);
      expect(paths).toContain(`/${TENANT_ID}/oauth2/v2.0/token`);
      expect(paths.filter((path) => path.endsWith(`/service/${SERVICE}/backup`))).toHaveLength(1);
    },
  );
});

describe('workload identity federation failures', () => {
  it('AADSTS70021: prints the service connection subject to register', async () => {
    const subject = standIn.azureDevOps.subject;
    standIn.azureDevOps.subject = 'sc://contoso/platform/apim-staging';
    try {
      const result = await run(
        connection('WorkloadIdentityFederation', { serviceprincipalid: CLIENT_ID }),
        azureDevOpsOidcEnv(standIn),
      );

      expect(result.result).toBe('Failed');
      expect(result.errorMessage).toContain('AADSTS70021');
      expect(result.errorMessage).toContain("subject 'sc://contoso/platform/apim-staging'");
      expect(result.errorMessage).toContain(
        "issuer 'https://vstoken.dev.azure.com/00000000-0000-0000-0000-0000000000aa'",
      );
    } finally {
      standIn.azureDevOps.subject = subject;
    }
  });

  it('says what is missing when the agent offers no OIDC endpoint', async () => {
    const before = standIn.requests.length;

    const result = await run(connection('WorkloadIdentityFederation', { serviceprincipalid: CLIENT_ID }));

    expect(result.result).toBe('Failed');
    expect(result.errorMessage).toContain('SYSTEM_OIDCREQUESTURI');
    expect(standIn.requests.length).toBe(before);
  });
});
