/**
 * Behind a proxy, on both platforms: every request of the step — Entra ID, Resource Manager, storage, the OIDC
 * ID-token request, the managed-identity endpoint — goes through a real forwarding proxy (CONNECT, Basic proxy
 * credentials). The step knows the stand-ins only by names under azure.test, which nothing but the proxy resolves:
 * the step's process runs with offline-dns.js, which fails every lookup at once (ENOTFOUND) and sends none to the
 * resolver. So a request that bypasses the proxy fails, and the proxy's log shows which hosts went through it.
 */
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { ForwardProxy, startForwardProxy } from '../stand-in';
import {
  azureDevOpsInputs,
  azureRmConnection,
  CLIENT_SECRET,
  CONNECTION_ID,
  githubInputs,
  RESOURCE_GROUP,
  SUBSCRIPTION_ID,
  useLocalAzure,
} from './fixtures';
import { BundleRun, leakedSecrets, runAzureDevOpsTask, runGitHubAction, ServiceConnection } from './harness';

const PROXY_USER = 'svc-build';
/**
 * URL-special characters on purpose: in HTTPS_PROXY it is percent-encoded, and must be masked in both forms. No `%`
 * or `;`: task-lib escapes those in ##vso lines, which would hide a leak from the scan.
 */
const PROXY_PASSWORD = 'Pr0xy:p@ss/w0rd!';
const PROXY_SECRETS = [PROXY_PASSWORD, encodeURIComponent(PROXY_PASSWORD)];
const OFFLINE_DNS = `--require ${join(__dirname, 'offline-dns.js')}`;

const standIn = useLocalAzure();
let proxy: ForwardProxy;
/** The stand-ins by the names the step knows them by. */
let names: {
  arm: string;
  authority: string;
  blob: string;
  blobHost: string;
  githubIdToken: string;
  azureDevOpsOidc: string;
  managedIdentity: string;
};

beforeAll(async () => {
  proxy = await startForwardProxy({ credentials: { username: PROXY_USER, password: PROXY_PASSWORD } });
  const port = new URL(standIn.url).port;
  const blobPort = new URL(standIn.blobEndpoint).port;
  names = {
    arm: `https://management.azure.test:${port}`,
    authority: `https://login.azure.test:${port}`,
    // Product-style, as Azure's: Azurite reads the account from the host name.
    blob: `https://stapimbackups.blob.azure.test:${blobPort}`,
    blobHost: 'stapimbackups.blob.azure.test',
    githubIdToken: `https://token-actions.azure.test:${port}/github/idtoken?api-version=2.0`,
    azureDevOpsOidc: `https://vstoken.azure.test:${port}/ado/oidctoken`,
    managedIdentity: `https://identity.azure.test:${port}/msi/token`,
  };
});

afterAll(async () => {
  await proxy?.close();
});

const SIGN_IN_HOSTS = ['login.azure.test', 'management.azure.test'];

function addService(name: string): void {
  standIn.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name });
}

/** A closed port on 127.0.0.1: a proxy that is not running. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs `step` and returns it with the CONNECTs the proxy saw meanwhile. */
async function throughProxy(step: () => Promise<BundleRun>) {
  const from = proxy.connects.length;
  const run = await step();
  const connects = proxy.connects.slice(from);
  const hosts = [
    ...new Set(connects.filter((entry) => entry.status === 200).map((entry) => entry.host)),
  ].sort();
  return { run, connects, hosts };
}

/** Succeeded without a warning: a backup whose provenance stamp could not be written only warns. */
function expectSucceeded(run: BundleRun): void {
  expect(run.errorMessage).toBe('');
  expect(run.exitCode).toBe(0);
  expect(run.stdout).not.toMatch(
    /^::warning::|^##vso\[task\.issue type=warning|^##vso\[task\.logissue type=warning/m,
  );
}

describe('GitHub: HTTPS_PROXY, NO_PROXY', () => {
  const proxyEnv = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    NODE_OPTIONS: OFFLINE_DNS,
    HTTPS_PROXY: proxy.urlWithCredentials,
    ...env,
  });
  const inputs = (serviceName: string, extra: Record<string, string> = {}) =>
    githubInputs(standIn, {
      operation: 'backup',
      'service-name': serviceName,
      'resource-manager-endpoint': names.arm,
      'authority-host': names.authority,
      'blob-endpoint': names.blob,
      ...extra,
    });
  const run = (serviceName: string, extra: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) =>
    throughProxy(() =>
      runGitHubAction({
        inputs: inputs(serviceName, extra),
        env: proxyEnv(env),
        caCertPath: standIn.caCertPath,
      }),
    );

  it('backs up and restores latest with every request through the proxy, its password never shown', async () => {
    addService('apim-gh-proxy');

    const backup = await run('apim-gh-proxy');
    expectSucceeded(backup.run);
    expect(backup.hosts).toEqual([...SIGN_IN_HOSTS, names.blobHost].sort());
    expect(backup.connects.every((entry) => entry.user === PROXY_USER)).toBe(true);
    expect(backup.run.stdout).toContain(
      `Network: requests through the proxy ${proxy.url} (HTTPS_PROXY); directly: local addresses.`,
    );

    const restore = await run('apim-gh-proxy', { operation: 'restore', 'backup-name': 'latest' });
    expectSucceeded(restore.run);
    expect(restore.run.outputs['backup-name']).toBe(backup.run.outputs['backup-name']);
    expect(restore.hosts).toEqual([...SIGN_IN_HOSTS, names.blobHost].sort());

    for (const step of [backup.run, restore.run]) expect(leakedSecrets(step, PROXY_SECRETS)).toEqual([]);
  });

  it('OIDC: the ID-token request goes through the proxy too', async () => {
    addService('apim-gh-proxy-oidc');
    const idTokensBefore = standIn.issued.idTokens;

    const { run: step, hosts } = await run(
      'apim-gh-proxy-oidc',
      { 'client-secret': '' },
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: names.githubIdToken,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: standIn.github.requestToken,
      },
    );

    expectSucceeded(step);
    expect(step.stdout).toContain('Signing in with oidc');
    expect(standIn.issued.idTokens - idTokensBefore).toBe(1);
    expect(hosts).toEqual([...SIGN_IN_HOSTS, names.blobHost, 'token-actions.azure.test'].sort());
  });

  it('managed identity: the identity endpoint is reached through the proxy', async () => {
    addService('apim-gh-proxy-msi');

    const { run: step, hosts } = await run(
      'apim-gh-proxy-msi',
      { auth: 'managed-identity', 'tenant-id': '', 'client-id': '', 'client-secret': '' },
      { IDENTITY_ENDPOINT: names.managedIdentity, IDENTITY_HEADER: standIn.managedIdentity.header },
    );

    expectSucceeded(step);
    expect(step.stdout).toContain('Signing in with managed-identity');
    expect(hosts).toEqual(['identity.azure.test', 'management.azure.test', names.blobHost].sort());
  });

  it('lower case wins for every request (https_proxy, no_proxy), and a no_proxy domain covers its subdomains', async () => {
    addService('apim-gh-no-proxy');
    // Upper case names a proxy that is not running: a request routed by another reading of the variables (the
    // Azure SDK's own takes upper case first, and `.blob.azure.test`, not `blob.azure.test`, for the subdomains)
    // would fail.
    const dead = `http://127.0.0.1:${await closedPort()}`;

    const { run: step, hosts } = await run(
      'apim-gh-no-proxy',
      {},
      {
        HTTPS_PROXY: dead,
        https_proxy: proxy.urlWithCredentials,
        NO_PROXY: 'nothing.example',
        no_proxy: 'example.org, blob.azure.test',
        // The blob host resolves locally, as a host on the runner's own network would.
        OFFLINE_DNS_HOSTS: `${names.blobHost}=127.0.0.1`,
      },
    );

    expectSucceeded(step);
    expect(hosts).toEqual(SIGN_IN_HOSTS);
    expect(step.stdout).toContain(
      `Network: requests through the proxy ${proxy.url} (https_proxy); directly: local addresses and no_proxy (example.org, blob.azure.test).`,
    );
  });

  describe('a request that cannot reach its host says so, naming host and proxy, never a wrong tenant', () => {
    const expectNetworkFailure = (step: BundleRun, says: string) => {
      expect(step.exitCode).toBe(1);
      expect(step.errorMessage).toContain(says);
      expect(step.errorMessage).not.toMatch(/Tenant|not found|Check tenant-id/i);
      expect(leakedSecrets(step, PROXY_SECRETS)).toEqual([]);
    };

    it('a proxy that is not running', async () => {
      addService('apim-gh-proxy-down');
      const dead = `http://127.0.0.1:${await closedPort()}`;

      const { run: step } = await run('apim-gh-proxy-down', {}, { HTTPS_PROXY: dead });

      expectNetworkFailure(
        step,
        `Backup of API Management instance 'apim-gh-proxy-down' failed: could not reach Microsoft Entra ID at login.azure.test:${new URL(names.authority).port} through the proxy ${dead} (HTTPS_PROXY): the proxy itself could not be reached (ECONNREFUSED). The step got no answer from login.azure.test.`,
      );
      expect(step.errorMessage).toContain('What to do: Check HTTPS_PROXY: the proxy must be running');
    });

    it('a proxy that refuses the credentials (407), the wrong password masked too', async () => {
      addService('apim-gh-proxy-407');
      const wrong = 'not-the-Pr0xy-password';
      const url = new URL(proxy.url);
      url.username = PROXY_USER;
      url.password = wrong;

      const { run: step, connects } = await run('apim-gh-proxy-407', {}, { HTTPS_PROXY: url.href });

      expect(connects.map((entry) => entry.status)).toContain(407);
      expectNetworkFailure(
        step,
        `through the proxy ${proxy.url} (HTTPS_PROXY): the proxy did not accept the proxy user name and password (HTTP 407 Proxy Authentication Required)`,
      );
      expect(step.errorMessage).toContain('Check the proxy user name and password given with HTTPS_PROXY.');
      expect(leakedSecrets(step, [wrong])).toEqual([]);
    });

    it('OIDC: a proxy that refuses the ID-token host (403)', async () => {
      addService('apim-gh-proxy-403');
      const strict = await startForwardProxy({
        credentials: { username: PROXY_USER, password: PROXY_PASSWORD },
        denied: ['token-actions.azure.test'],
      });
      try {
        const step = await runGitHubAction({
          inputs: inputs('apim-gh-proxy-403', { 'client-secret': '' }),
          env: proxyEnv({
            HTTPS_PROXY: strict.urlWithCredentials,
            ACTIONS_ID_TOKEN_REQUEST_URL: names.githubIdToken,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: standIn.github.requestToken,
          }),
          caCertPath: standIn.caCertPath,
        });

        expectNetworkFailure(
          step,
          `could not reach token-actions.azure.test:${new URL(names.githubIdToken).port} through the proxy ${strict.url} (HTTPS_PROXY): the proxy refused to connect to it (HTTP 403 Forbidden)`,
        );
        expect(step.errorMessage).toContain(
          'Ask for token-actions.azure.test to be allowed through the proxy; or, if this machine reaches it directly, add it to NO_PROXY.',
        );
      } finally {
        await strict.close();
      }
    });

    it('storage exempted by NO_PROXY but not reachable directly', async () => {
      const { run: step, hosts } = await run(
        'apim-gh-no-route',
        { operation: 'list' },
        { NO_PROXY: names.blobHost },
      );

      expect(hosts).toEqual([]);
      expectNetworkFailure(
        step,
        `could not reach storage account 'stapimbackups' at ${names.blobHost}:${new URL(names.blob).port} directly (NO_PROXY exempts it from the proxy): its name does not resolve (ENOTFOUND)`,
      );
      expect(step.errorMessage).toContain(`or take it out of NO_PROXY to reach it through the proxy`);
    });
  });
});

describe('Azure DevOps: the agent proxy (Agent.ProxyUrl and friends), or HTTPS_PROXY', () => {
  /** The variables a self-hosted agent configured with a proxy gives its tasks; the password is a secret one. */
  const agentProxyEnv = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    NODE_OPTIONS: OFFLINE_DNS,
    AGENT_PROXYURL: proxy.url,
    AGENT_PROXYUSERNAME: PROXY_USER,
    SECRET_AGENT_PROXYPASSWORD: PROXY_PASSWORD,
    VSTS_SECRET_VARIABLES: JSON.stringify(['Agent.ProxyPassword']),
    ...env,
  });
  const connection = (
    scheme: ServiceConnection['scheme'] = 'ServicePrincipal',
    auth: Record<string, string> = { authenticationType: 'spnKey', serviceprincipalkey: CLIENT_SECRET },
  ): ServiceConnection => ({
    ...azureRmConnection(standIn, scheme, auth, { environmentAuthorityUrl: `${names.authority}/` }),
    url: `${names.arm}/`,
  });
  const run = (
    serviceName: string,
    extra: Record<string, string> = {},
    env: NodeJS.ProcessEnv = agentProxyEnv(),
    serviceConnection: ServiceConnection = connection(),
  ) =>
    throughProxy(() =>
      runAzureDevOpsTask({
        inputs: azureDevOpsInputs(standIn, {
          operation: 'backup',
          serviceName,
          blobEndpoint: names.blob,
          ...extra,
        }),
        connection: serviceConnection,
        env,
        caCertPath: standIn.caCertPath,
      }),
    );

  it("backs up and restores latest through the agent's proxy with its credentials, the password never shown", async () => {
    addService('apim-ado-proxy');

    const backup = await run('apim-ado-proxy');
    expectSucceeded(backup.run);
    expect(backup.run.result).toBe('Succeeded');
    expect(backup.hosts).toEqual([...SIGN_IN_HOSTS, names.blobHost].sort());
    expect(backup.connects.every((entry) => entry.user === PROXY_USER)).toBe(true);
    expect(backup.run.stdout).toContain(
      `Network: requests through the proxy ${proxy.url} (the agent's proxy (Agent.ProxyUrl)); directly: local addresses.`,
    );

    const restore = await run('apim-ado-proxy', { operation: 'restore', backupName: 'latest' });
    expectSucceeded(restore.run);
    expect(restore.run.result).toBe('Succeeded');
    expect(restore.run.outputs.backupName).toBe(backup.run.outputs.backupName);
    expect(restore.hosts).toEqual([...SIGN_IN_HOSTS, names.blobHost].sort());

    for (const step of [backup.run, restore.run]) expect(leakedSecrets(step, PROXY_SECRETS)).toEqual([]);
  });

  it('workload identity federation: the System.OidcRequestUri request goes through the proxy too', async () => {
    addService('apim-ado-proxy-wif');
    const idTokensBefore = standIn.issued.idTokens;

    const { run: step, hosts } = await run(
      'apim-ado-proxy-wif',
      {},
      agentProxyEnv({
        SYSTEM_OIDCREQUESTURI: names.azureDevOpsOidc,
        ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: standIn.azureDevOps.systemAccessToken,
      }),
      connection('WorkloadIdentityFederation', {}),
    );

    expectSucceeded(step);
    expect(step.result).toBe('Succeeded');
    expect(step.stdout).toContain('Signing in with oidc');
    expect(standIn.issued.idTokens - idTokensBefore).toBe(1);
    expect(hosts).toEqual([...SIGN_IN_HOSTS, names.blobHost, 'vstoken.azure.test'].sort());
    const oidc = standIn.requests.filter((request) => request.path === '/ado/oidctoken').pop()!;
    expect(oidc.query).toMatchObject({ serviceConnectionId: CONNECTION_ID });
  });

  it("managed identity: the agent machine's identity endpoint is reached through the proxy", async () => {
    addService('apim-ado-proxy-msi');

    const { run: step, hosts } = await run(
      'apim-ado-proxy-msi',
      {},
      agentProxyEnv({
        IDENTITY_ENDPOINT: names.managedIdentity,
        IDENTITY_HEADER: standIn.managedIdentity.header,
      }),
      connection('ManagedServiceIdentity', {}),
    );

    expectSucceeded(step);
    expect(step.result).toBe('Succeeded');
    expect(step.stdout).toContain('Signing in with managed-identity');
    expect(hosts).toEqual(['identity.azure.test', 'management.azure.test', names.blobHost].sort());
  });

  it("honours the agent's bypass list: a matching host is reached directly", async () => {
    addService('apim-ado-bypass');

    const { run: step, hosts } = await run(
      'apim-ado-bypass',
      {},
      agentProxyEnv({
        AGENT_PROXYBYPASSLIST: JSON.stringify(['^https://stapimbackups\\.blob\\.azure\\.test']),
        OFFLINE_DNS_HOSTS: `${names.blobHost}=127.0.0.1`,
      }),
    );

    expectSucceeded(step);
    expect(step.result).toBe('Succeeded');
    expect(hosts).toEqual(SIGN_IN_HOSTS);
  });

  it('takes HTTPS_PROXY when the agent has no proxy', async () => {
    addService('apim-ado-https-proxy');

    const {
      run: step,
      hosts,
      connects,
    } = await run(
      'apim-ado-https-proxy',
      {},
      {
        NODE_OPTIONS: OFFLINE_DNS,
        HTTPS_PROXY: proxy.urlWithCredentials,
      },
    );

    expectSucceeded(step);
    expect(step.result).toBe('Succeeded');
    expect(hosts).toEqual([...SIGN_IN_HOSTS, names.blobHost].sort());
    expect(connects.every((entry) => entry.user === PROXY_USER)).toBe(true);
    expect(leakedSecrets(step, PROXY_SECRETS)).toEqual([]);
  });

  it('an agent proxy that is not running: the network message names it, not the tenant', async () => {
    addService('apim-ado-proxy-down');
    const dead = `http://127.0.0.1:${await closedPort()}`;

    const { run: step } = await run('apim-ado-proxy-down', {}, agentProxyEnv({ AGENT_PROXYURL: dead }));

    expect(step.result).toBe('Failed');
    expect(step.errorMessage).toContain(
      `could not reach Microsoft Entra ID at login.azure.test:${new URL(names.authority).port} through the proxy ${dead} (the agent's proxy (Agent.ProxyUrl)): the proxy itself could not be reached (ECONNREFUSED)`,
    );
    expect(step.errorMessage).toContain("What to do: Check the agent's proxy (Agent.ProxyUrl)");
    expect(step.errorMessage).not.toMatch(/Tenant|not found|tenant id/i);
    expect(leakedSecrets(step, PROXY_SECRETS)).toEqual([]);
  });
});
