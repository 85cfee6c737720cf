/** Identities, names and secrets shared by the end-to-end tests, and the stand-in they run against. */
import type { ContainerClient } from '@azure/storage-blob';
import {
  Azurite,
  createAzuriteBlobStore,
  objectIdOf,
  startAzurite,
  startStandIn,
  startStorageProxy,
  StandIn,
  StandInOptions,
  storageClient,
  StorageProxy,
} from '../stand-in';
import {
  AzureDevOpsRunOptions,
  BundleRun,
  GitHubRunOptions,
  runAzureDevOpsTask,
  runGitHubAction,
  ServiceConnection,
} from './harness';

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT_ID = '0b6c1e5a-3f1d-4a8e-9c52-7d1e2f3a4b5c';
export const CLIENT_SECRET = 'Xq8~stand-in-client-secret-Zr2';
export const SUBSCRIPTION_ID = 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff';
export const RESOURCE_GROUP = 'rg-apim';
export const STORAGE_ACCOUNT = 'stapimbackups';
export const CONTAINER = 'apim-backups';
/** Base64, like a real storage key. */
export const STORAGE_KEY = Buffer.from(
  'stand-in storage account key, 64 bytes long, for the e2e tests!',
).toString('base64');
export const CONNECTION_ID = '9d5e2c1a-1b2c-4d3e-8f90-a1b2c3d4e5f6';
/** The app's object ID, as role assignments name it. */
export const APP_OBJECT_ID = objectIdOf(CLIENT_ID);

/**
 * A stand-in with the app registered for secret and GitHub/Azure DevOps federated sign-in, and a sound set-up for
 * the pre-flight checks: STORAGE_ACCOUNT in the instances' resource group (Shared Key allowed, no firewall, no
 * CORS; each instance's identity gets Storage Blob Data Contributor when added), and the app holding API
 * Management Service Contributor and Reader on the subscription.
 */
export async function startRegisteredStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const standIn = await startStandIn(options);
  standIn.addStorageAccount({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: STORAGE_ACCOUNT,
  });
  for (const role of ['API Management Service Contributor', 'Reader']) {
    standIn.authorization.assign(APP_OBJECT_ID, role, `/subscriptions/${SUBSCRIPTION_ID}`);
  }
  standIn.addApp({
    tenantId: TENANT_ID,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    federatedCredentials: [
      { issuer: 'https://token.actions.githubusercontent.com', subject: standIn.github.subject },
      {
        issuer: 'https://vstoken.dev.azure.com/00000000-0000-0000-0000-0000000000aa',
        subject: standIn.azureDevOps.subject,
      },
    ],
  });
  return standIn;
}

/** The stand-in with a real blob service behind it: what the step and the stand-in's APIM read and write. */
export interface LocalAzure extends StandIn {
  azurite: Azurite;
  /** https://127.0.0.1:PORT/stapimbackups: the blob-endpoint input for STORAGE_ACCOUNT, whose key is STORAGE_KEY. */
  blobEndpoint: string;
  /** A container of STORAGE_ACCOUNT (CONTAINER unless named), read and written with STORAGE_KEY. */
  container(name?: string): ContainerClient;
  /** Runs the GitHub step against this Azure: githubInputs(inputs), trusting its certificate. */
  runGitHub(
    inputs: Record<string, string>,
    options?: Omit<GitHubRunOptions, 'inputs' | 'caCertPath'>,
  ): Promise<BundleRun>;
  /**
   * Runs the Azure DevOps task against it: azureDevOpsInputs(inputs), through secretConnection unless `connection`
   * says otherwise (`connection: undefined`: none).
   */
  runAzureDevOps(
    inputs: Record<string, string>,
    options?: Omit<AzureDevOpsRunOptions, 'inputs' | 'caCertPath'>,
  ): Promise<BundleRun>;
}

/**
 * startRegisteredStandIn with Azurite over https (`--oauth basic`, so the step can read storage with a token too)
 * holding the account STORAGE_ACCOUNT with STORAGE_KEY; the stand-in serves Azurite's certificate, so one CA file
 * trusts both. close() stops both. Every storage request of a run stays on 127.0.0.1 when the run is given
 * `blob-endpoint: blobEndpoint`.
 */
export async function startLocalAzure(options: StandInOptions = {}): Promise<LocalAzure> {
  const azurite = await startAzurite({
    oauth: true,
    accounts: [{ name: STORAGE_ACCOUNT, key: STORAGE_KEY }],
  });
  const account = azurite.accounts.find((candidate) => candidate.name === STORAGE_ACCOUNT)!;
  const standIn = await startRegisteredStandIn({
    certificate: azurite.certificate,
    blobStore: createAzuriteBlobStore({
      blobEndpoint: account.blobEndpoint,
      accountName: account.name,
      accountKey: account.key,
      caCertPem: azurite.caCertPem,
    }),
    ...options,
  });
  const closeStandIn = standIn.close;
  const local: LocalAzure = Object.assign(standIn, {
    azurite,
    blobEndpoint: account.blobEndpoint,
    container: (name = CONTAINER) =>
      storageClient(
        account.blobEndpoint,
        { accountName: STORAGE_ACCOUNT, accountKey: STORAGE_KEY },
        { ca: azurite.caCertPem },
      ).getContainerClient(name),
    runGitHub: (inputs: Record<string, string>, run: Omit<GitHubRunOptions, 'inputs' | 'caCertPath'> = {}) =>
      runGitHubAction({ ...run, inputs: githubInputs(local, inputs), caCertPath: standIn.caCertPath }),
    runAzureDevOps: (
      inputs: Record<string, string>,
      run: Omit<AzureDevOpsRunOptions, 'inputs' | 'caCertPath'> = {},
    ) =>
      runAzureDevOpsTask({
        connection: secretConnection(standIn),
        ...run,
        inputs: azureDevOpsInputs(local, inputs),
        caCertPath: standIn.caCertPath,
      }),
    async close() {
      await closeStandIn();
      await azurite.close();
    },
  });
  return local;
}

/**
 * A local Azure (startLocalAzure) for the tests around the call, started before them and stopped after them, its
 * faults cleared after each test; each file has its own, so no file sees another's instances or blobs. Several
 * start side by side. What it returns stands for the running ones: declare them at the top of the file and use
 * them in tests and hooks (a beforeAll declared after the call finds them started).
 */
export function useLocalAzures(...options: StandInOptions[]): LocalAzure[] {
  let running: (LocalAzure | undefined)[] = [];
  beforeAll(async () => {
    const started = await Promise.allSettled(options.map((each) => startLocalAzure(each)));
    running = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  });
  afterEach(() => running.forEach((azure) => azure?.faults.clear()));
  afterAll(async () => {
    await Promise.all(running.map((azure) => azure?.close() ?? Promise.resolve()));
    running = [];
  });
  return options.map((_, index) => lateBound(() => running[index], 'useLocalAzure'));
}

/** useLocalAzures for one. */
export function useLocalAzure(options: StandInOptions = {}): LocalAzure {
  return useLocalAzures(options)[0];
}

/** A storage proxy (storage roles and firewall) in front of the local Azure's Azurite, for the tests around the call. */
export function useStorageProxy(azure: LocalAzure): StorageProxy {
  let running: StorageProxy | undefined;
  beforeAll(async () => {
    running = await startStorageProxy({
      target: azure.blobEndpoint,
      targetCa: azure.azurite.caCertPem,
      certificate: azure.azurite.certificate,
    });
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  return lateBound(() => running, 'useStorageProxy');
}

/** An object that forwards to what `current` gives once the hooks have started it, and says so when used before. */
function lateBound<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const value = current();
      if (!value) {
        throw new Error(
          `${what}(): '${String(property)}' was read outside the tests; it runs from beforeAll to afterAll`,
        );
      }
      const member: unknown = Reflect.get(value, property);
      return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(value) : member;
    },
  });
}

export function armPath(serviceName: string, suffix = ''): string {
  return `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ApiManagement/service/${serviceName}${suffix}`;
}

/** Requests the stand-in received for one instance, by kind. */
export function requestsFor(standIn: StandIn, serviceName: string) {
  const base = armPath(serviceName).toLowerCase();
  const all = standIn.requests.filter((request) => request.path.toLowerCase().startsWith(base));
  return {
    all,
    reads: all.filter((request) => request.method === 'GET' && request.path.toLowerCase() === base),
    starts: all.filter((request) => request.method === 'POST'),
    polls: all.filter((request) => request.path.toLowerCase().includes('/operationresults/')),
  };
}

/** An AzureRM service connection pointing at the stand-in (its ARM URL and authority), as the agent passes it. */
export function azureRmConnection(
  standIn: StandIn,
  scheme: ServiceConnection['scheme'],
  authParameters: Record<string, string> = {},
  data: Record<string, string> = {},
): ServiceConnection {
  return {
    id: CONNECTION_ID,
    url: `${standIn.url}/`,
    scheme,
    // A managed-identity connection names no principal: the agent's identity signs in.
    authParameters: {
      tenantid: TENANT_ID,
      ...(scheme === 'ManagedServiceIdentity' ? {} : { serviceprincipalid: CLIENT_ID }),
      ...authParameters,
    },
    data: {
      subscriptionId: SUBSCRIPTION_ID,
      subscriptionName: 'Platform',
      environment: 'AzureCloud',
      environmentAuthorityUrl: `${standIn.url}/`,
      ...data,
    },
  };
}

/**
 * What every GitHub run against the local Azure gives unless a test says otherwise: the app's client secret, the
 * instance's subscription and resource group, STORAGE_ACCOUNT on Azurite (key and endpoint), 1 s polls, and the
 * stand-in as Resource Manager and authority. An empty string removes an input (the runners treat it as not given).
 */
export function githubInputs(
  standIn: LocalAzure,
  inputs: Record<string, string> = {},
): Record<string, string> {
  return {
    'tenant-id': TENANT_ID,
    'client-id': CLIENT_ID,
    'client-secret': CLIENT_SECRET,
    'subscription-id': SUBSCRIPTION_ID,
    'resource-group': RESOURCE_GROUP,
    'storage-account': STORAGE_ACCOUNT,
    container: CONTAINER,
    'storage-key': STORAGE_KEY,
    'blob-endpoint': standIn.blobEndpoint,
    'poll-interval': '1s',
    'resource-manager-endpoint': standIn.url,
    'authority-host': standIn.url,
    ...inputs,
  };
}

/** The same for an Azure DevOps task; sign-in comes from the connection (secretConnection, or another). */
export function azureDevOpsInputs(
  standIn: LocalAzure,
  inputs: Record<string, string> = {},
): Record<string, string> {
  return {
    resourceGroupName: RESOURCE_GROUP,
    storageAccount: STORAGE_ACCOUNT,
    containerName: CONTAINER,
    storageKey: STORAGE_KEY,
    blobEndpoint: standIn.blobEndpoint,
    pollInterval: '1s',
    ...inputs,
  };
}

/** A service principal connection with the app's client secret. */
export const secretConnection = (standIn: StandIn): ServiceConnection =>
  azureRmConnection(standIn, 'ServicePrincipal', {
    authenticationType: 'spnKey',
    serviceprincipalkey: CLIENT_SECRET,
  });

/** The env of a GitHub job with `permissions: id-token: write`. */
export const githubIdTokenEnv = (standIn: StandIn): NodeJS.ProcessEnv => ({
  ACTIONS_ID_TOKEN_REQUEST_URL: standIn.github.requestUrl,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: standIn.github.requestToken,
});

/** The env an Azure DevOps agent gives a task for workload identity federation. */
export const azureDevOpsOidcEnv = (standIn: StandIn): NodeJS.ProcessEnv => ({
  SYSTEM_OIDCREQUESTURI: standIn.azureDevOps.oidcRequestUri,
  ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: standIn.azureDevOps.systemAccessToken,
});

/** The env of a machine with an App Service-style managed identity. */
export const managedIdentityEnv = (standIn: StandIn): NodeJS.ProcessEnv => ({
  IDENTITY_ENDPOINT: standIn.managedIdentity.endpoint,
  IDENTITY_HEADER: standIn.managedIdentity.header,
});
