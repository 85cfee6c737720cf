/** Azure Pipelines entry point: inputs and the service connection through task-lib, results as ##vso commands. */
// First: takes the agent's proxy variables out of task-lib's sight before it loads (it would echo the password).
import { agentProxyVariables } from './agent-proxy-variables';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { exitWhenFlushed, Host, readInputs, runJob, SecretRegistry } from '../core';
import { AZURE_DEVOPS_PROFILE } from './profile';
import { readProxySettings } from './proxy';
import { readSecretInput } from './secret-reads';
import { idTokenRequester, readServiceConnection } from './service-connection';

const secrets = new SecretRegistry((value) => tl.setSecret(value));
/** The agent cancels a task with SIGINT, then SIGTERM: the core stops waiting and says how to resume. */
const cancel = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => cancel.abort(signal));

async function main(): Promise<void> {
  // Read first: the proxy password is masked before anything else can print it.
  const proxy = readProxySettings(agentProxyVariables, (value) => secrets.add(value));
  const raw = readInputs(
    'azureDevOps',
    (name) => readSecretInput(name),
    (value) => secrets.add(value),
  );
  const connection = raw.serviceConnection ? readServiceConnection(raw.serviceConnection) : undefined;
  if (connection?.found) {
    for (const value of [connection.values.clientSecret, connection.values.clientCertificate]) {
      secrets.add(value);
    }
  }
  const requestIdToken =
    connection?.found && connection.method === 'oidc'
      ? idTokenRequester(connection.name, (value) => secrets.add(value))
      : undefined;

  const tempDir = tl.getVariable('Agent.TempDirectory') || undefined;
  const host: Host = {
    log: {
      info: (message) => console.log(message),
      warning: (message) => tl.warning(message),
      debug: (message) => tl.debug(message),
      debugEnabled: tl.getVariable('System.Debug')?.toLowerCase() === 'true',
    },
    setOutput: (name, value) => tl.setVariable(AZURE_DEVOPS_PROFILE.outputName(name), value, false, true),
    writeSummary: (markdown) => {
      // One file per step run, so that two steps of a job never write over each other's summary.
      const file = join(tempDir || tmpdir(), `apim-backup-restore-summary-${randomUUID()}.md`);
      writeFileSync(file, markdown);
      tl.uploadSummary(file);
      return Promise.resolve();
    },
    requestIdToken: requestIdToken && ((_audience, signal, send) => requestIdToken(signal, send)),
    cancelSignal: cancel.signal,
  };
  const result = await runJob(
    raw,
    {
      profile: AZURE_DEVOPS_PROFILE,
      connection,
      now: new Date(),
      runId: tl.getVariable('Build.BuildId'),
      runUrl: runUrl(),
      commit: tl.getVariable('Build.SourceVersion') || undefined,
      tempDir,
      idTokenAvailable: requestIdToken !== undefined,
      proxy,
    },
    host,
    secrets,
  );
  if (result.succeeded) tl.setResult(tl.TaskResult.Succeeded, '');
  else fail(result.message);
}

/** The build's results page, from the variables every agent sets. */
function runUrl(): string | undefined {
  const collection = tl.getVariable('System.CollectionUri');
  const project = tl.getVariable('System.TeamProject');
  const buildId = tl.getVariable('Build.BuildId');
  if (!collection || !project || !buildId) return undefined;
  return `${collection.replace(/\/?$/, '/')}${encodeURIComponent(project)}/_build/results?buildId=${encodeURIComponent(buildId)}`;
}

/** task-lib reports the failure to the agent but leaves the exit code at 0; a failed task exits non-zero. */
function fail(message: string): void {
  tl.setResult(tl.TaskResult.Failed, message);
  process.exitCode = 1;
}

// Exit once every line is out (task.complete last): a request the deadline abandoned must not hold the task.
main()
  .catch((error: unknown) => fail(secrets.redact(String(error))))
  .finally(() => exitWhenFlushed());
