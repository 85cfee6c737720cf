/**
 * One https server on 127.0.0.1 standing in for Entra ID (authority host), ARM with API Management, the GitHub
 * and Azure DevOps OIDC token endpoints and the App Service managed-identity endpoint. Every request is recorded.
 *
 * Choices where Azure leaves room (tests may rely on them):
 * - Every principal may call ARM unless deny(clientId[, subscriptionId]) was called: then 403 AuthorizationFailed
 *   (or denyAction(clientId, action): then for that action only; a poll is `…/operationresults/read`).
 * - Operation ids are shaped as Azure's: base64 with `=` padding of `{location}:{name}_{Kind}_{hex}`. A service
 *   with `replay` answers its backup and restore with Azure's recorded answers instead (replay.ts); ARM answers
 *   `…/service/{name}//operationresults/{id}` (two slashes, Azure's own first Location in 2019–2021) as the same.
 * - A subscription / resource group exists when some added service is in it (else SubscriptionNotFound /
 *   ResourceGroupNotFound); ARM accepts tokens for this url or the public ARM audiences.
 * - The service list of a subscription or resource group answers a page of `setListPageSize` services (default 2)
 *   in the order they were added, with a `nextLink` (api-version and `$skipToken`) while more remain.
 * - An operation completes on the operation-result GET that comes after `operationPolls` 202 answers and at least
 *   `operationMs` after the start. The instance shows 'Updating' until `operationMs` has passed (for ever with
 *   `neverFinishes`), so it can leave Updating before the status URL is next asked: then the status URL answers
 *   202 until asked again. `updatingMs` makes the instance leave Updating earlier, or stay Updating after done.
 *   A start still conflicts (409) while an operation's outcome has not been asked for.
 * - A failed operation answers failure.status (default 400, which the SDK pipeline does not retry) with
 *   { error: { code, message } }. Backup writes the blob at completion; restore reads it at completion and fails
 *   with 'RestoreFailed' when it is missing, not a backup, older than 30 days, or of another SKU.
 * - The default in-memory blob store accepts any access key; createMemoryBlobStore({ keys }) refuses a wrong one,
 *   and the Azurite store lets Azurite judge it. A refused key fails the operation with BackupFailed/RestoreFailed
 *   quoting '(403) Forbidden'. Managed-identity access (no key) is always allowed.
 * - Start answers: startError first, then body validation (400 ValidationError), then unsupported tiers
 *   (400 MethodNotAllowedInPricingTier), then 409 Conflict while an operation runs or the instance is busy.
 * - ARM without an Authorization header answers 401 AuthenticationFailed (as ARM does); an unknown token
 *   InvalidAuthenticationToken; an expired one ExpiredAuthenticationToken; all with a WWW-Authenticate challenge.
 * - Tokens for https://storage.azure.com (scope …/.default, or managed-identity resource) are Entra-shaped v1 JWTs
 *   that an Azurite started with `oauth: true` accepts (see tokens.ts); ARM refuses them (wrong audience).
 * - Client assertions: expiry is strict (no skew) so tests can expire ID tokens quickly; nbf allows 5 minutes.
 * - GitHub ID tokens without an audience query get GitHub's default, https://github.com/{owner}, which no
 *   federated credential accepts by default (AADSTS70021), as in real life.
 * - Pre-flight reads: storage accounts exist only when added (addStorageAccount); an instance has a
 *   system-assigned identity unless its spec says otherwise, and each identity it has holds Storage Blob Data
 *   Contributor on its subscription (spec storageRole: null for none). Role assignments are what the step reads;
 *   ARM enforces only deny() and denyReads(). Microsoft.Authorization/permissions answers any caller its own
 *   permissions, from the roles assigned to its object ID (objectIdOf(clientId)).
 * - The stand-in's APIM does not itself fail an operation for what pre-flight checks (identity, firewall, roles).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiManagement } from './apim';
import { Arm } from './arm';
import { Authorization } from './authorization';
import { BlobStore, createMemoryBlobStore } from './blob-store';
import { createTestCertificate, TestCertificate } from './certificate';
import { AppRegistration, Entra } from './entra';
import { signJwt } from './jwt';
import { FaultRegistry } from './faults';
import { readRequest, RecordedRequest, Reply, Route, writeReply } from './http';
import {
  azureDevOpsRoute,
  AzureDevOpsOidc,
  GitHubOidc,
  githubRoute,
  IdTokenIssuer,
  IdTokenRequest,
} from './id-tokens';
import { MANAGED_IDENTITY_PATH, ManagedIdentityConfig, managedIdentityRoute } from './managed-identity';
import { ServiceSpec, ServiceState } from './service-state';
import { StorageAccounts, StorageAccountSpec, StorageAccountState } from './storage-accounts';
import { TokenRegistry } from './tokens';

export interface StandInOptions {
  /** Lifetime of tokens from the token and managed-identity endpoints; default 3600. */
  accessTokenLifetimeSeconds?: number;
  /** Lifetime of GitHub / Azure DevOps ID tokens; default 300. */
  idTokenLifetimeSeconds?: number;
  /** Where backups go; default an in-memory store that accepts any key. */
  blobStore?: BlobStore;
  /**
   * The TLS certificate to serve (SAN IP:127.0.0.1), e.g. an https Azurite's, so one CA file trusts both; default a
   * fresh one. Either way it is `certificate` on the stand-in.
   */
  certificate?: TestCertificate;
  /** Milliseconds added before every Resource Manager answer, as real ARM takes tens of them (benchmarks). */
  armLatencyMs?: number;
}

export interface StandIn {
  /** https://127.0.0.1:PORT, no trailing slash: the ARM endpoint and the authority host. */
  url: string;
  /** The CA to trust (NODE_EXTRA_CA_CERTS for a child process, tlsOptions.ca in process). */
  caCertPath: string;
  caCertPem: string;
  /** The certificate served, with its key: give it to startAzurite({ certificate }) to share one CA file. */
  certificate: TestCertificate;
  requests: RecordedRequest[];
  blobStore: BlobStore;
  addApp(app: AppRegistration): void;
  /**
   * An instance; unless its spec says `storageRole: null`, each of its identities is given that data role
   * (default Storage Blob Data Contributor) on its subscription, as a sound set-up has.
   */
  addService(spec: ServiceSpec): ServiceState;
  /** Services per page of a service list (default 2): the rest follow through nextLink, as ARM pages. */
  setListPageSize(size: number): void;
  /** ARM then answers 403 AuthorizationFailed to this principal, on one subscription or (default) all. */
  deny(clientId: string, subscriptionId?: string): void;
  /**
   * ARM then answers 403 AuthorizationFailed to this principal for this one action only, e.g.
   * 'Microsoft.ApiManagement/service/operationresults/read' (it may start a backup but not read its status).
   */
  denyAction(clientId: string, action: string): void;
  /** A storage account in Resource Manager (what the pre-flight checks read; the blobs are in blobStore). */
  addStorageAccount(spec: StorageAccountSpec): StorageAccountState;
  /** Role definitions and assignments, and the caller's permissions (see authorization.ts). */
  authorization: Authorization;
  /**
   * ARM then answers 403 AuthorizationFailed to this principal's reads of these providers' resources
   * (Microsoft.Storage, Microsoft.Authorization, Microsoft.ApiManagement for workspace links): an identity
   * without Reader on them. allowReads undoes it.
   */
  denyReads(clientId: string, providers: string[]): void;
  allowReads(clientId: string): void;
  github: GitHubOidc;
  azureDevOps: AzureDevOpsOidc;
  managedIdentity: ManagedIdentityConfig;
  issued: { accessTokens: number; idTokens: number };
  /** Every access and ID token handed out (and minted), for secret-leak scans. */
  issuedTokens: string[];
  /** Faults to inject by route: hang, reset, an error status or a canned reply (see faults.ts). */
  faults: FaultRegistry;
  /** Signs an ID token with the stand-in's OIDC key (e.g. an expired one) without counting it in issued. */
  mintIdToken(request: IdTokenRequest): string;
  close(): Promise<void>;
}

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const dir = mkdtempSync(join(tmpdir(), 'stand-in-'));
  const certificate = options.certificate ?? createTestCertificate(dir);
  const tokens = new TokenRegistry();
  const idTokens = new IdTokenIssuer(tokens, options.idTokenLifetimeSeconds ?? 300);
  // Storage tokens are JWTs Azurite reads; signed with the OIDC key, as Entra signs with keys its jwks lists.
  tokens.signJwt = (claims) => signJwt(claims, idTokens.privateKey, { kid: idTokens.keyId });
  const accessTokenLifetime = options.accessTokenLifetimeSeconds ?? 3600;
  const blobStore = options.blobStore ?? createMemoryBlobStore();
  const requests: RecordedRequest[] = [];
  const faults = new FaultRegistry();
  let url = '';
  const baseUrl = () => url;

  const entra = new Entra(baseUrl, tokens, idTokens, accessTokenLifetime);
  const apim = new ApiManagement(blobStore);
  const storageAccounts = new StorageAccounts();
  const authorization = new Authorization();
  const arm = new Arm(baseUrl, tokens, apim, storageAccounts, authorization);
  const github: GitHubOidc = {
    requestUrl: '',
    requestToken: randomBytes(24).toString('base64url'),
    subject: 'repo:contoso/apim-config:ref:refs/heads/main',
  };
  const azureDevOps: AzureDevOpsOidc = {
    oidcRequestUri: '',
    systemAccessToken: randomBytes(24).toString('base64url'),
    subject: 'sc://contoso/platform/apim-prod',
  };
  const managedIdentity: ManagedIdentityConfig = {
    endpoint: '',
    header: randomBytes(16).toString('hex'),
    systemClientId: randomUUID(),
    userAssigned: [randomUUID()],
  };
  const routes: Route[] = [
    (request) => arm.route(request),
    githubRoute(idTokens, github),
    azureDevOpsRoute(idTokens, azureDevOps),
    managedIdentityRoute(managedIdentity, tokens, accessTokenLifetime),
    (request) => entra.route(request),
  ];

  const server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (message, response) => {
    void (async () => {
      let request: RecordedRequest | undefined;
      let reply: Reply;
      try {
        request = await readRequest(message);
        requests.push(request);
        if (options.armLatencyMs && /^\/subscriptions\//i.test(request.path))
          await sleep(options.armLatencyMs);
        const taken = faults.take(request);
        if (taken?.kind === 'delay') await sleep(taken.ms);
        const fault = taken?.kind === 'pass' || taken?.kind === 'delay' ? undefined : taken;
        if (fault?.kind === 'hang') return; // never answered; closeAllConnections ends it
        if (fault?.kind === 'reset') {
          request.status = 0;
          message.socket.destroy();
          return;
        }
        reply =
          fault?.kind === 'status'
            ? {
                status: fault.status,
                headers: fault.headers,
                body: {
                  error: { code: fault.code ?? 'InjectedFault', message: `Injected HTTP ${fault.status}.` },
                },
              }
            : fault?.kind === 'reply'
              ? typeof fault.reply === 'function'
                ? fault.reply(request)
                : fault.reply
              : ((await firstAnswer(routes, request)) ?? notFound(request));
      } catch (error) {
        reply = { status: 500, body: { error: { code: 'StandInError', message: String(error) } } };
      }
      if (request) request.status = reply.status;
      writeReply(response, reply);
      if (request) request.answeredAt = Date.now();
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  github.requestUrl = `${url}/github/idtoken?api-version=2.0`;
  azureDevOps.oidcRequestUri = `${url}/ado/oidctoken`;
  managedIdentity.endpoint = `${url}${MANAGED_IDENTITY_PATH}`;

  return {
    url,
    caCertPath: certificate.certPath,
    caCertPem: certificate.certPem,
    certificate,
    requests,
    blobStore,
    addApp: (app) => entra.addApp(app),
    addService(spec) {
      const service = apim.add(spec);
      const role = service.setup.storageRole;
      if (role) {
        for (const principalId of service.principalIds) {
          authorization.assign(principalId, role, `/subscriptions/${service.subscriptionId}`);
        }
      }
      return service;
    },
    addStorageAccount: (spec) => storageAccounts.add(spec),
    authorization,
    setListPageSize: (size) => {
      apim.listPageSize = size;
    },
    deny: (clientId, subscriptionId) => arm.deny(clientId, subscriptionId),
    denyAction: (clientId, action) => arm.denyAction(clientId, action),
    denyReads: (clientId, providers) => arm.denyReads(clientId, providers),
    allowReads: (clientId) => arm.allowReads(clientId),
    github,
    azureDevOps,
    managedIdentity,
    issued: tokens.issued,
    issuedTokens: tokens.all,
    faults,
    mintIdToken: (request) => idTokens.mint(request, false),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function notFound(request: RecordedRequest): Reply {
  const message = `The stand-in has no route for ${request.method} ${request.path}.`;
  return { status: 404, body: { error: { code: 'NotFound', message } } };
}

async function firstAnswer(routes: Route[], request: RecordedRequest): Promise<Reply | undefined> {
  for (const route of routes) {
    const reply = await route(request);
    if (reply) return reply;
  }
  return undefined;
}
