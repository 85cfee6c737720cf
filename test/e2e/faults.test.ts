/**
 * One deadline over every request: an endpoint that accepts the connection and never answers (token endpoint,
 * authority metadata, the runners' OIDC endpoints, ARM GET, POST and status URL, a token renewal mid-operation)
 * must not keep the step past its timeout. Both bundles; the step fails within 1 s of the timeout, naming what was
 * in flight.
 */
import type { FaultRoute } from '../stand-in';
import {
  azureDevOpsOidcEnv,
  azureRmConnection,
  githubIdTokenEnv,
  LocalAzure,
  RESOURCE_GROUP,
  secretConnection,
  SUBSCRIPTION_ID,
  useLocalAzures,
} from './fixtures';
import { BundleRun } from './harness';

const TIMEOUT_S = 2;
/** The promise: the step ends within a second of its timeout. */
const SLACK_MS = 1_000;

/** The second's access tokens live 2 s, so a run renews its token within the operation. */
const [standIn, shortLived] = useLocalAzures({}, { accessTokenLifetimeSeconds: 2 });
/** A fresh instance per test: a hanging backup leaves its instance Updating. */
let service = 'apim-hang';
let count = 0;

beforeEach(() => {
  service = `apim-hang-${++count}`;
  for (const server of [standIn, shortLived]) {
    server.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: service,
      neverFinishes: true,
    });
  }
});

function github(server: LocalAzure, oidc = false, overrides: Record<string, string> = {}) {
  return server.runGitHub(
    {
      operation: 'backup',
      'service-name': service,
      ...(oidc ? { 'client-secret': '' } : {}),
      timeout: `${TIMEOUT_S}s`,
      ...overrides,
    },
    { env: oidc ? githubIdTokenEnv(server) : {} },
  );
}

function azureDevOps(server: LocalAzure, oidc = false, timeoutS = TIMEOUT_S) {
  return server.runAzureDevOps(
    { operation: 'backup', serviceName: service, timeout: `${timeoutS}s` },
    {
      connection: oidc ? azureRmConnection(server, 'WorkloadIdentityFederation') : secretConnection(server),
      env: oidc ? azureDevOpsOidcEnv(server) : {},
    },
  );
}

function expectTimedOut(result: BundleRun, inFlight: RegExp, timeoutS = TIMEOUT_S): void {
  expect(result.exitCode).not.toBe(0);
  expect(result.result).toBe('Failed');
  expect(result.errorMessage).toContain(`timed out after ${timeoutS}s while`);
  expect(result.errorMessage).toMatch(inFlight);
  // Figures for the report: how long after its first line the step ended.
  console.info(
    `${inFlight.source}: ended ${result.elapsedMs} ms after its first line (timeout ${timeoutS * 1000} ms)`,
  );
  expect(result.elapsedMs).toBeLessThan(timeoutS * 1000 + SLACK_MS);
}

const cases: [string, FaultRoute, () => Promise<BundleRun>, RegExp][] = [
  [
    'GitHub: token endpoint',
    'token',
    () => github(standIn),
    /requesting an access token .* from Microsoft Entra ID/,
  ],
  ['GitHub: authority metadata', 'openid-configuration', () => github(standIn), /requesting an access token/],
  [
    'GitHub: runner ID token',
    'github-id-token',
    () => github(standIn, true),
    /requesting an ID token from the GitHub OIDC endpoint/,
  ],
  [
    'GitHub: instance GET',
    'service-get',
    () => github(standIn),
    /reading API Management instance 'apim-hang-\d+'/,
  ],
  [
    'GitHub: pre-flight read',
    'preflight',
    () => github(standIn),
    /reading \/subscriptions\/\S+ for the pre-flight checks/,
  ],
  ['GitHub: backup POST', 'start', () => github(standIn), /starting the backup \(POST/],
  [
    'GitHub: status URL',
    'operation-status',
    () => github(standIn),
    /waiting for the backup \(GET .*operationresults/,
  ],
  ['Azure DevOps: token endpoint', 'token', () => azureDevOps(standIn), /requesting an access token/],
  [
    'Azure DevOps: pipeline OIDC endpoint',
    'azure-devops-oidc',
    () => azureDevOps(standIn, true),
    /requesting an ID token from the Azure DevOps OIDC endpoint/,
  ],
  ['Azure DevOps: status URL', 'operation-status', () => azureDevOps(standIn), /waiting for the backup/],
];

it.each(cases)('%s hangs: the step fails at the timeout, naming it', async (_name, route, run, inFlight) => {
  standIn.faults.add(route, { kind: 'hang' });
  const result = await run();
  expect(standIn.faults.hits[route]).toBeGreaterThan(0);
  standIn.faults.hits[route] = 0;
  expectTimedOut(result, inFlight);
});

it('a token renewal that hangs mid-operation ends at the timeout (both bundles)', async () => {
  // The first token is answered; its renewal (the token lives 2 s, renewed at half-life) hangs.
  shortLived.faults.add('token', { kind: 'pass' }, 1).add('token', { kind: 'hang' });
  const gh = await github(shortLived, false, { timeout: '4s' });
  expect(shortLived.faults.hits.token).toBeGreaterThanOrEqual(2);
  expectTimedOut(gh, /requesting an access token/, 4);
  expect(gh.outputs['operation-url']).toContain('/operationresults/');
  expect(gh.errorMessage).toContain('may still be running in Azure');

  shortLived.faults.clear();
  shortLived.faults.add('token', { kind: 'pass' }, 1).add('token', { kind: 'hang' });
  service = `apim-hang-${++count}`;
  shortLived.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: service,
    neverFinishes: true,
  });
  const ado = await azureDevOps(shortLived, false, 4);
  expectTimedOut(ado, /requesting an access token/, 4);
  expect(ado.outputs.operationUrl).toContain('/operationresults/');
});
