/** GitHub Actions entry point: inputs from INPUT_* env, outputs to GITHUB_OUTPUT, summary to GITHUB_STEP_SUMMARY. */
import * as core from '@actions/core';
import { hasAzureCliSession, Host, outputName, readInputs, runJob, SecretRegistry } from '../core';

const secrets = new SecretRegistry((value) => core.setSecret(value));
/** The runner cancels a step with SIGINT, then SIGTERM: the core stops waiting and says how to resume. */
const cancel = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => cancel.abort(signal));

async function main(): Promise<void> {
  const raw = readInputs(
    'github',
    (name) => core.getInput(name),
    (value) => secrets.add(value),
    process.env,
  );
  const idTokenAvailable = Boolean(
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL && process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  );
  const host: Host = {
    log: { info: core.info, warning: core.warning, debug: core.debug, debugEnabled: core.isDebug() },
    maskSecret: (value) => core.setSecret(value),
    setOutput: (name, value) => core.setOutput(outputName(name, 'github'), value),
    writeSummary: async (markdown) => {
      if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
    },
    requestIdToken: idTokenAvailable ? (audience) => core.getIDToken(audience) : undefined,
    cancelSignal: cancel.signal,
  };
  const result = await runJob(
    raw,
    {
      platform: 'github',
      now: new Date(),
      runId: process.env.GITHUB_RUN_ID,
      runUrl: runUrl(),
      commit: process.env.GITHUB_SHA || undefined,
      idTokenAvailable,
      azureCliSignedIn:
        raw.auth === undefined || raw.auth === 'auto' ? hasAzureCliSession(process.env) : false,
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

// Exit as soon as the result is out: a request the deadline abandoned (a hanging sign-in) must not hold the step.
main()
  .catch((error: unknown) => core.setFailed(secrets.redact(String(error))))
  .finally(() => process.exit());
