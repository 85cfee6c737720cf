/**
 * Secrets, tested so that breaking the protection turns them red: every token the stand-in hands out must be
 * masked in the runner (`::add-mask::` / `##vso[task.setsecret]`), and a secret that reaches the SDK's debug log
 * or an error message (a server echoing it) must not reach the output — which only the step's own redaction
 * guarantees, since the tests read the raw output a runner would mask.
 */
import type { RecordedRequest } from '../stand-in';
import {
  azureDevOpsOidcEnv,
  azureRmConnection,
  CLIENT_SECRET,
  githubIdTokenEnv,
  RESOURCE_GROUP,
  secretConnection,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  useLocalAzure,
} from './fixtures';
import { BundleRun, leakedSecrets, parseVsoCommands } from './harness';

const standIn = useLocalAzure();

beforeAll(() => {
  for (const name of [
    'apim-sec-gh',
    'apim-sec-gh-oidc',
    'apim-sec-ado',
    'apim-sec-ado-oidc',
    'apim-sec-echo',
  ]) {
    standIn.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name });
  }
});

function github(name: string, oidc: boolean) {
  return standIn.runGitHub(
    { operation: 'backup', 'service-name': name, ...(oidc ? { 'client-secret': '' } : {}) },
    { env: { RUNNER_DEBUG: '1', ...(oidc ? githubIdTokenEnv(standIn) : {}) } },
  );
}

function azureDevOps(name: string, oidc: boolean) {
  return standIn.runAzureDevOps(
    { operation: 'backup', serviceName: name },
    {
      connection: oidc ? azureRmConnection(standIn, 'WorkloadIdentityFederation') : secretConnection(standIn),
      env: { SYSTEM_DEBUG: 'true', ...(oidc ? azureDevOpsOidcEnv(standIn) : {}) },
    },
  );
}

/** The values the step told the runner to mask. */
function masked(run: BundleRun): string[] {
  const github = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => line.slice('::add-mask::'.length));
  const azureDevOps = parseVsoCommands(run.stdout)
    .filter((command) => command.name === 'task.setsecret')
    .map((command) => command.value);
  return [...github, ...azureDevOps];
}

/** Runs and returns the tokens the stand-in issued meanwhile. */
async function withTokens(run: () => Promise<BundleRun>): Promise<{ result: BundleRun; tokens: string[] }> {
  const before = standIn.issuedTokens.length;
  const result = await run();
  return { result, tokens: standIn.issuedTokens.slice(before) };
}

it.each([
  ['GitHub, client secret', () => github('apim-sec-gh', false), 1],
  ['GitHub, OIDC', () => github('apim-sec-gh-oidc', true), 2],
  ['Azure DevOps, service principal', () => azureDevOps('apim-sec-ado', false), 1],
  ['Azure DevOps, workload identity', () => azureDevOps('apim-sec-ado-oidc', true), 2],
] as const)('%s: every token the stand-in issued is masked in the runner', async (_name, run, atLeast) => {
  const { result, tokens } = await withTokens(run);
  expect(result.errorMessage).toBe('');
  expect(result.exitCode).toBe(0);
  expect(tokens.length).toBeGreaterThanOrEqual(atLeast);
  const mask = masked(result);
  expect(tokens.filter((token) => !mask.includes(token))).toEqual([]);
  expect(leakedSecrets(result, [CLIENT_SECRET, STORAGE_KEY, ...tokens])).toEqual([]);
});

it('a client secret Entra echoes never reaches the output (error message, debug log)', async () => {
  standIn.faults.add('token', {
    kind: 'reply',
    reply: {
      status: 401,
      body: {
        error: 'invalid_client',
        error_description: `AADSTS7000215: Invalid client secret provided: '${CLIENT_SECRET}'. Trace ID: 1 Correlation ID: 2 Timestamp: 2024-01-01 00:00:00Z`,
        error_codes: [7000215],
      },
    },
  });
  const [gh, ado] = [await github('apim-sec-gh', false), await azureDevOps('apim-sec-ado', false)];
  for (const run of [gh, ado]) {
    expect(run.exitCode).not.toBe(0);
    expect(run.errorMessage).toContain('AADSTS7000215');
    // The debug log carried the server's answer: redacted on the way.
    expect(run.stdout).toMatch(/(::debug::|##vso\[task\.debug\]).*Invalid client secret provided: '\*\*\*'/);
    expect(leakedSecrets(run, [CLIENT_SECRET])).toEqual([]);
  }
});

it('an access token in the SDK debug log (a response header echoing it) and in an error never reaches the output', async () => {
  // ARM echoes the caller's token in a header the SDK's logging policy prints (x-ms-request-id is on its allow
  // list) and in the error message: only the step's own redaction stands between it and the raw output.
  const echo = (request: RecordedRequest) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    return {
      status: 400,
      headers: { 'x-ms-request-id': token },
      body: { error: { code: 'BadRequest', message: `Token ${token} is not accepted here.` } },
    };
  };
  standIn.faults.add('service-get', { kind: 'reply', reply: echo });
  const { result: gh, tokens: ghTokens } = await withTokens(() => github('apim-sec-echo', false));
  const { result: ado, tokens: adoTokens } = await withTokens(() => azureDevOps('apim-sec-echo', false));
  for (const [run, tokens] of [
    [gh, ghTokens],
    [ado, adoTokens],
  ] as const) {
    expect(run.exitCode).not.toBe(0);
    expect(run.errorMessage).toContain('BadRequest: Token *** is not accepted here.');
    // The SDK's own log line, routed to debug, carried the header.
    expect(run.stdout).toMatch(/(::debug::|##vso\[task\.debug\]).*"x-ms-request-id": "\*\*\*"/);
    expect(tokens.length).toBeGreaterThan(0);
    expect(leakedSecrets(run, tokens)).toEqual([]);
  }
});
