/** GitHub Actions entry point: inputs from INPUT_* env, outputs to GITHUB_OUTPUT, summary to GITHUB_STEP_SUMMARY. */
import * as core from '@actions/core';
import {
  exitWhenFlushed,
  hasAzureCliSession,
  Host,
  proxyFromEnvironment,
  readInputs,
  runJob,
  SecretRegistry,
} from '../core';
import { requestGitHubIdToken } from './id-token';
import { GITHUB_PROFILE, withEnvFallback } from './profile';

const secrets = new SecretRegistry((value) => core.setSecret(value));
/** The runner cancels a step with SIGINT, then SIGTERM: the core stops waiting and says how to resume. */
const cancel = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => cancel.abort(signal));

async function main(): Promise<void> {
  // Read first: a proxy password is masked before anything else can print it.
  const proxy = proxyFromEnvironment(process.env, (value) => secrets.add(value));
  const raw = readInputs(
    'github',
    withEnvFallback((name) => core.getInput(name), process.env),
    (value) => secrets.add(value),
  );
  const idTokenAvailable = Boolean(
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL && process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  );
  secrets.add(process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  const host: Host = {
    log: { info: core.info, warning: core.warning, debug: core.debug, debugEnabled: core.isDebug() },
    setOutput: (name, value) => core.setOutput(GITHUB_PROFILE.outputName(name), value),
    writeSummary: async (markdown) => {
      if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
    },
    requestIdToken: idTokenAvailable
      ? (audience, signal, send) => requestGitHubIdToken(process.env, audience, signal, send)
      : undefined,
    cancelSignal: cancel.signal,
  };
  const result = await runJob(
    raw,
    {
      profile: GITHUB_PROFILE,
      now: new Date(),
      runId: process.env.GITHUB_RUN_ID,
      runUrl: runUrl(),
      commit: process.env.GITHUB_SHA || undefined,
      tempDir: process.env.RUNNER_TEMP || undefined,
      idTokenAvailable,
      azureCliSignedIn:
        raw.auth === undefined || raw.auth === 'auto' ? hasAzureCliSession(process.env) : false,
      proxy,
    },
    host,
    secrets,
  );
  if (!result.succeeded) core.setFailed(result.message);
}

/**
 * The run's page, from the variables every runner sets (the ones @actions/github's context reads; that package
 * would load Octokit for them). Outside a repository's workflow there is no page to link.
 */
function runUrl(): string | undefined {
  const { GITHUB_RUN_ID: runId, GITHUB_REPOSITORY: repository } = process.env;
  if (!runId || !repository) return undefined;
  const serverUrl = process.env.GITHUB_SERVER_URL || 'https://github.com';
  return `${serverUrl}/${repository}/actions/runs/${runId}`;
}

// Exit once every line is out: a request the deadline abandoned (a hanging sign-in) must not hold the step.
main()
  .catch((error: unknown) => core.setFailed(secrets.redact(String(error))))
  .finally(() => exitWhenFlushed());
