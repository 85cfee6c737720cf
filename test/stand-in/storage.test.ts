/**
 * Proves the storage side of the stand-ins with the real SDKs: Azurite over https with `--oauth basic` accepting the
 * storage tokens the Entra stand-in mints (client secret, federated, managed identity), the in-process trust helper,
 * the Azurite blob store over https, the storage proxy (Shared Key passed through, roles, firewall, latency) and the
 * seeding helpers.
 */
import { request as httpsRequest } from 'node:https';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import {
  ClientAssertionCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import type { ContainerClient } from '@azure/storage-blob';
import {
  Azurite,
  backupSeeds,
  createAzuriteBlobStore,
  decodeJwt,
  GITHUB_ISSUER,
  listBlobsWithMetadata,
  parseBackupBlob,
  seedBlobs,
  StandIn,
  startAzurite,
  startStandIn,
  startStorageProxy,
  storageClient,
  StorageProxy,
  tlsTrust,
} from '.';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0b6c1e5a-3f1d-4a8e-9c52-7d1e2f3a4b5c';
const READER = '3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const SECRET = 'stand-in-secret';
const SUBSCRIPTION = 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff';
const RG = 'rg-apim';
const STORAGE_SCOPE = 'https://storage.azure.com/.default';

let azurite: Azurite;
let standIn: StandIn;

const ca = () => standIn.caCertPem;
const signIn = () => ({ authorityHost: standIn.url, disableInstanceDiscovery: true, ...tlsTrust(ca()) });
const secretCredential = (clientId = CLIENT) =>
  new ClientSecretCredential(TENANT, clientId, SECRET, signIn());
const sharedKey = () => ({ accountName: azurite.accountName, accountKey: azurite.accountKey });

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: { code?: string; statusCode?: number; message: string }) => error,
  );

/** A raw https call trusting the test CA, to see the exact answer. */
function call(
  url: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      { method: init.method ?? 'GET', headers: init.headers, ca: ca() },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

beforeAll(async () => {
  // Azurite first, with its own certificate; the stand-in serves the same one, so one CA file trusts both.
  azurite = await startAzurite({ oauth: true });
  standIn = await startStandIn({
    certificate: azurite.certificate,
    blobStore: createAzuriteBlobStore(azurite),
  });
  standIn.addApp({
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: SECRET,
    federatedCredentials: [{ issuer: GITHUB_ISSUER, subject: standIn.github.subject }],
  });
  standIn.addApp({ tenantId: TENANT, clientId: READER, clientSecret: SECRET });
});

afterAll(async () => {
  await standIn?.close();
  await azurite?.close();
});

describe('https Azurite with --oauth basic', () => {
  it('serves https on the certificate the stand-in serves too', () => {
    expect(azurite.blobEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(standIn.caCertPath).toBe(azurite.caCertPath);
  });

  it('accepts a storage token from ClientSecretCredential: create a container, upload, list', async () => {
    const credential = secretCredential();
    const token = await credential.getToken(STORAGE_SCOPE);
    expect(decodeJwt(token.token)?.claims).toMatchObject({
      aud: 'https://storage.azure.com',
      iss: `https://sts.windows.net/${TENANT}/`,
      tid: TENANT,
      appid: CLIENT,
    });
    expect(standIn.issuedTokens).toContain(token.token);

    const container = storageClient(azurite.blobEndpoint, credential, { ca: ca() }).getContainerClient(
      'oauth',
    );
    await container.create();
    await container.getBlockBlobClient('a.txt').upload('hello', 5, { metadata: { apimservice: 'x' } });
    expect(await listBlobsWithMetadata(container)).toMatchObject([
      { name: 'a.txt', metadata: { apimservice: 'x' }, contentLength: 5 },
    ]);
  });

  it('accepts tokens from a federated sign-in and from managed identity (resource https://storage.azure.com)', async () => {
    const idToken = async () => {
      const response = await call(`${standIn.github.requestUrl}&audience=api://AzureADTokenExchange`, {
        headers: { authorization: `Bearer ${standIn.github.requestToken}` },
      });
      return (JSON.parse(response.body) as { value: string }).value;
    };
    const federated = new ClientAssertionCredential(TENANT, CLIENT, idToken, signIn());
    const container = storageClient(azurite.blobEndpoint, federated, { ca: ca() }).getContainerClient('fed');
    await container.create();

    process.env.IDENTITY_ENDPOINT = standIn.managedIdentity.endpoint;
    process.env.IDENTITY_HEADER = standIn.managedIdentity.header;
    try {
      const identity = new ManagedIdentityCredential(tlsTrust(ca()));
      const client = storageClient(azurite.blobEndpoint, identity, { ca: ca() });
      await client.getContainerClient('fed').getBlockBlobClient('mi.txt').upload('mi', 2);
      const token = await identity.getToken(STORAGE_SCOPE);
      expect(decodeJwt(token.token)?.claims.appid).toBe(standIn.managedIdentity.systemClientId);
    } finally {
      delete process.env.IDENTITY_ENDPOINT;
      delete process.env.IDENTITY_HEADER;
    }
    expect((await listBlobsWithMetadata(container)).map((blob) => blob.name)).toEqual(['mi.txt']);
  });

  it('refuses the ARM token (opaque, not a storage JWT), and ARM refuses the storage token', async () => {
    const credential = secretCredential();
    const armToken = await credential.getToken(`${standIn.url}/.default`);
    const listing = await call(`${azurite.blobEndpoint}?comp=list`, {
      headers: { authorization: `Bearer ${armToken.token}`, 'x-ms-version': '2025-11-05' },
    });
    // Azurite answers 403 AuthenticationFailed ("Invalid token audience." / "not supported") to a token it refuses.
    expect(listing).toMatchObject({ status: 403, headers: { 'x-ms-error-code': 'AuthenticationFailed' } });

    const storageOnly = { getToken: () => credential.getToken(STORAGE_SCOPE) };
    const arm = new ApiManagementClient(storageOnly, SUBSCRIPTION, {
      endpoint: standIn.url,
      ...tlsTrust(ca()),
    });
    standIn.addService({ subscriptionId: SUBSCRIPTION, resourceGroup: RG, name: 'apim-aud' });
    const refused = await rejection(arm.apiManagementService.get(RG, 'apim-aud'));
    expect(refused.statusCode).toBe(401);
  });

  it('needs the trust helper in process: without the CA the client refuses the certificate', async () => {
    const untrusted = storageClient(azurite.blobEndpoint, sharedKey());
    const error = await rejection(untrusted.getContainerClient('oauth').exists());
    expect(error.message).toMatch(/self[- ]signed certificate/i);
    await expect(
      storageClient(azurite.blobEndpoint, sharedKey(), { ca: ca() }).getContainerClient('oauth').exists(),
    ).resolves.toBe(true);
  });

  it('lets the stand-in APIM back up into https Azurite (createAzuriteBlobStore trusts its CA)', async () => {
    standIn.addService({ subscriptionId: SUBSCRIPTION, resourceGroup: RG, name: 'apim-https' });
    const arm = new ApiManagementClient(secretCredential(), SUBSCRIPTION, {
      endpoint: standIn.url,
      ...tlsTrust(ca()),
    });
    await arm.apiManagementService.beginBackupAndWait(
      RG,
      'apim-https',
      {
        storageAccount: 'any',
        containerName: 'backups',
        accessKey: azurite.accountKey,
        backupName: 'b.apimbackup',
      },
      { updateIntervalInMs: 50 },
    );
    const content = await storageClient(azurite.blobEndpoint, sharedKey(), { ca: ca() })
      .getContainerClient('backups')
      .getBlobClient('b.apimbackup')
      .downloadToBuffer();
    expect(parseBackupBlob(content.toString('utf8'))).toMatchObject({ service: 'apim-https' });
  });
});

describe('storage proxy', () => {
  let proxy: StorageProxy;
  const viaProxy = (credential: Parameters<typeof storageClient>[1], container: string) =>
    storageClient(proxy.url, credential, { ca: ca() }).getContainerClient(container);

  beforeAll(async () => {
    proxy = await startStorageProxy({
      target: azurite.blobEndpoint,
      targetCa: azurite.caCertPem,
      certificate: standIn.certificate,
    });
    await viaProxy(sharedKey(), 'proxied').create();
    await viaProxy(sharedKey(), 'proxied').getBlockBlobClient('seed.txt').upload('seed', 4);
  });
  afterAll(() => proxy?.close());
  afterEach(() => {
    proxy.setRole('contributor');
    proxy.setFirewall(false);
    proxy.setLatency(0);
  });

  it('has the target path shape and passes Shared Key through (Azurite checks the signature)', async () => {
    expect(proxy.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    const container = viaProxy(sharedKey(), 'proxied');
    await container
      .getBlockBlobClient('sk.txt')
      .upload('shared key', 10, { metadata: { apimsku: 'Developer' } });
    await container.getBlobClient('sk.txt').setMetadata({ apimsku: 'Premium' });
    expect((await listBlobsWithMetadata(container)).find((blob) => blob.name === 'sk.txt')).toMatchObject({
      metadata: { apimsku: 'Premium' },
    });
    const last = proxy.requests[proxy.requests.length - 1];
    expect(last).toMatchObject({ method: 'GET', auth: 'sharedKey', status: 200, query: { comp: 'list' } });
    expect(last.end).toBeGreaterThanOrEqual(last.start);

    const wrongKey = {
      accountName: azurite.accountName,
      accountKey: Buffer.alloc(64, 7).toString('base64'),
    };
    // Azurite with --oauth basic answers a wrong key 400 InvalidAuthenticationInfo; the proxy answers as Azure does.
    const direct = storageClient(azurite.blobEndpoint, wrongKey, { ca: ca() }).getContainerClient('proxied');
    expect(await rejection(direct.getProperties())).toMatchObject({
      statusCode: 400,
      code: 'InvalidAuthenticationInfo',
    });
    const refused = await rejection(viaProxy(wrongKey, 'proxied').getProperties());
    expect(refused).toMatchObject({ statusCode: 403, code: 'AuthenticationFailed' });
    expect(refused.message).toContain('Server failed to authenticate the request.');
    expect(proxy.requests[proxy.requests.length - 1]).toMatchObject({ auth: 'sharedKey', status: 403 });
  });

  it("role 'none' refuses every bearer request with AuthorizationPermissionMismatch and Azure's XML body", async () => {
    proxy.setRole('none');
    const error = await rejection(
      viaProxy(secretCredential(), 'proxied').getBlobClient('seed.txt').download(),
    );
    expect(error).toMatchObject({ statusCode: 403, code: 'AuthorizationPermissionMismatch' });

    const token = await secretCredential().getToken(STORAGE_SCOPE);
    const raw = await call(`${proxy.url}/proxied?restype=container&comp=list`, {
      headers: { authorization: `Bearer ${token.token}`, 'x-ms-version': '2025-11-05' },
    });
    expect(raw.status).toBe(403);
    expect(raw.headers['x-ms-error-code']).toBe('AuthorizationPermissionMismatch');
    expect(raw.body).toMatch(
      /^<\?xml version="1\.0" encoding="utf-8"\?><Error><Code>AuthorizationPermissionMismatch<\/Code><Message>This request is not authorized to perform this operation using this permission\.\nRequestId:[0-9a-f-]{36}\nTime:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z<\/Message><\/Error>$/,
    );
    // Shared Key is no role matter.
    await expect(viaProxy(sharedKey(), 'proxied').exists()).resolves.toBe(true);
  });

  it("role 'reader' lets reads through and refuses writes, metadata, deletes and batches", async () => {
    proxy.setRole('reader');
    const container = viaProxy(secretCredential(), 'proxied');
    expect((await listBlobsWithMetadata(container)).length).toBeGreaterThan(0);
    expect((await container.getBlobClient('seed.txt').downloadToBuffer()).toString()).toBe('seed');
    await expect(container.getBlobClient('seed.txt').getProperties()).resolves.toBeTruthy();
    const writes = [
      container.getBlockBlobClient('new.txt').upload('x', 1),
      container.getBlobClient('seed.txt').setMetadata({ apimsku: 'Basic' }),
      container.getBlobClient('seed.txt').delete(),
      container.getBlobBatchClient().deleteBlobs([container.getBlobClient('seed.txt')]),
    ];
    for (const write of writes) {
      expect(await rejection(write)).toMatchObject({
        statusCode: 403,
        code: 'AuthorizationPermissionMismatch',
      });
    }
    expect(proxy.requests.filter((request) => request.refused).map((request) => request.method)).toEqual(
      expect.arrayContaining(['PUT', 'DELETE', 'POST']),
    );
  });

  it('gives roles per principal (the token appid)', async () => {
    proxy.setRole('contributor');
    proxy.setRole('none', READER);
    await expect(viaProxy(secretCredential(), 'proxied').exists()).resolves.toBe(true);
    const error = await rejection(viaProxy(secretCredential(READER), 'proxied').getProperties());
    expect(error).toMatchObject({ statusCode: 403 });
    proxy.setRole('contributor', READER);
  });

  it('firewall refuses Shared Key and bearer alike with AuthorizationFailure', async () => {
    proxy.setFirewall(true);
    for (const credential of [sharedKey(), secretCredential()]) {
      const error = await rejection(viaProxy(credential, 'proxied').getBlobClient('seed.txt').download());
      expect(error).toMatchObject({ statusCode: 403, code: 'AuthorizationFailure' });
      expect(error.message).toContain('This request is not authorized to perform this operation.');
    }
  });

  it('backdates a blob in listings and in its own answers, and no other blob', async () => {
    const container = viaProxy(sharedKey(), 'backdated');
    await container.create();
    for (const name of ['old & odd/a.apimbackup', 'new.apimbackup']) {
      await container.getBlockBlobClient(name).upload('backup', 6);
    }
    const createdOn = new Date(Date.UTC(2026, 9, 1, 2, 0, 0));
    proxy.backdate('backdated', 'old & odd/a.apimbackup', createdOn);

    const listed = new Map<string, { createdOn?: Date; lastModified: Date }>();
    for await (const item of container.listBlobsFlat({ includeMetadata: true })) {
      listed.set(item.name, item.properties);
    }
    expect(listed.get('old & odd/a.apimbackup')).toMatchObject({ createdOn, lastModified: createdOn });
    expect(Date.now() - listed.get('new.apimbackup')!.createdOn!.getTime()).toBeLessThan(60_000);

    const properties = await container.getBlobClient('old & odd/a.apimbackup').getProperties();
    expect(properties).toMatchObject({ createdOn, lastModified: createdOn, contentLength: 6 });
    const fresh = await container.getBlobClient('new.apimbackup').getProperties();
    expect(Date.now() - fresh.createdOn!.getTime()).toBeLessThan(60_000);
    // Azurite itself still holds the real time.
    const direct = storageClient(azurite.blobEndpoint, sharedKey(), { ca: azurite.caCertPem });
    const real = await direct
      .getContainerClient('backdated')
      .getBlobClient('old & odd/a.apimbackup')
      .getProperties();
    expect(Date.now() - real.createdOn!.getTime()).toBeLessThan(60_000);
  });

  it('adds latency to each request and counts the requests in flight', async () => {
    proxy.setLatency(150);
    proxy.reset();
    const container = viaProxy(sharedKey(), 'proxied');
    const started = Date.now();
    await Promise.all(Array.from({ length: 8 }, () => container.getBlobClient('seed.txt').getProperties()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(8 * 150);
    expect(proxy.maxInFlight).toBe(8);
    expect(proxy.requests).toHaveLength(8);
    for (const request of proxy.requests) expect(request.end! - request.start).toBeGreaterThanOrEqual(145);
  });
});

describe('seeding', () => {
  it('uploads many blobs with metadata at bounded concurrency and reads them back', async () => {
    const proxy = await startStorageProxy({
      target: azurite.blobEndpoint,
      targetCa: azurite.caCertPem,
      certificate: standIn.certificate,
    });
    try {
      const container: ContainerClient = storageClient(proxy.url, sharedKey(), {
        ca: ca(),
      }).getContainerClient('seeded');
      const newest = new Date('2026-11-01T02:00:00Z');
      const backups = backupSeeds({
        service: 'apim-seed',
        count: 200,
        newest,
        spreadDays: 60,
        resourceGroup: RG,
      });
      const others = Array.from({ length: 100 }, (_, i) => ({
        name: `other/${i}.txt`,
        content: `other ${i}`,
      }));
      const result = await seedBlobs(container, [...backups, ...others], { concurrency: 16 });
      expect(result).toMatchObject({ uploaded: 300, maxInFlight: 16 });
      // The container create, then never more than 16 uploads at once.
      expect(proxy.maxInFlight).toBe(16);

      const listed = await listBlobsWithMetadata(container);
      expect(listed).toHaveLength(300);
      const newestBlob = listed.find((blob) => blob.name === 'apim-seed-20261101-020000.apimbackup');
      expect(newestBlob?.metadata).toEqual({
        apimservice: 'apim-seed',
        apimsku: 'Developer',
        apimcreated: '2026-11-01T02:00:00.000Z',
        apimresourcegroup: RG,
      });
      const created = listed
        .filter((blob) => blob.metadata.apimcreated)
        .map((blob) => Date.parse(blob.metadata.apimcreated));
      expect((Math.max(...created) - Math.min(...created)) / 86_400_000).toBeCloseTo(60, 0);
      expect(
        parseBackupBlob((await container.getBlobClient(backups[199].name).downloadToBuffer()).toString()),
      ).toMatchObject({
        service: 'apim-seed',
        createdAt: backups[199].metadata!.apimcreated,
      });
      expect(await listBlobsWithMetadata(container, 'other/')).toHaveLength(100);
    } finally {
      await proxy.close();
    }
  });
});

describe('plain http Azurite (the default)', () => {
  it('still starts over http with Shared Key', async () => {
    const plain = await startAzurite();
    try {
      expect(plain.blobEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      expect(plain.caCertPath).toBeUndefined();
      const container = storageClient(plain.blobEndpoint, {
        accountName: plain.accountName,
        accountKey: plain.accountKey,
      }).getContainerClient('plain');
      await container.create();
      await expect(container.exists()).resolves.toBe(true);
    } finally {
      await plain.close();
    }
  });
});
