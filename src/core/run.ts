/**
 * The whole job, independent of the pipeline system: validate → sign in → run the operation → report.
 * Never throws: the adapter gets a result whose message is ready to print (already redacted).
 */
import type { TokenCredential } from '@azure/identity';
import { format } from 'node:util';
import { AzureLogger, setLogLevel } from '@azure/logger';
import { Deadline } from './azure/deadline';
import type { CommonConfig, ConnectionInputs, RunContext, SignIn } from './inputs/config';
import { InputError } from './inputs/config';
import { formatDuration } from './inputs/duration';
import { parseJob, ParsedJob } from './inputs/parse';
import { inputName, Platform, RawInputs } from './inputs/table';
import { resumeHint } from './operations/status';
import type { Job } from './operations/operation';
import type { Host, Logger } from './ports';
import { ActionableError, explainError } from './report/errors';
import { redactingHost, safeText, SecretRegistry } from './report/secrets';
import { renderSummary } from './report/summary';
import { cacheIdToken, IdTokenCache } from './sign-in/id-token';

export type RunResult = { succeeded: true } | { succeeded: false; message: string };

export async function runJob(
  raw: RawInputs & ConnectionInputs,
  context: RunContext,
  unsafeHost: Host,
  secrets: SecretRegistry,
): Promise<RunResult> {
  const host = redactingHost(unsafeHost, secrets);
  let parsed: ParsedJob;
  try {
    parsed = parseJob(raw, context);
  } catch (error) {
    const message = error instanceof InputError ? error.message : String(error);
    return { succeeded: false, message: safeText(message, secrets) };
  }

  const { operation, config, ignored } = parsed;
  const { log } = host;
  if (log.debugEnabled) routeSdkLogsToDebug(log.debug);
  for (const warning of ignored) log.warning(warning);
  log.info(operation.describe(config));
  log.info(
    config.signIn
      ? `Signing in with ${config.signIn.method}: ${config.signInReason}.`
      : 'Reading the storage with the storage key; no Azure sign-in needed.',
  );

  const deadline = new Deadline(config.timing.timeoutMs, host.cancelSignal);
  const idTokens =
    config.signIn?.method === 'oidc'
      ? idTokenCache(config.signIn, host, secrets, deadline, config.platform)
      : undefined;
  const job = createJob(config, context, host, secrets, deadline, idTokens);
  const title = operation.title(config);
  // Said the moment the runner cancels, before anything else unwinds.
  const onCancel = () =>
    log.warning(
      job.operationUrl
        ? `Cancelled: the step stops waiting. The ${config.operation} goes on in Azure: ${job.operationUrl}`
        : `Cancelled: the step stops${deadline.activity ? ` ${deadline.activity}` : ''}.`,
    );
  host.cancelSignal?.addEventListener('abort', onCancel, { once: true });
  try {
    await operation.run(config, job);
    if (idTokens) log.debug(`ID tokens fetched: ${idTokens.fetches}.`);
    await host.writeSummary(renderSummary({ title, succeeded: true, ...job.summary }));
    return { succeeded: true };
  } catch (error) {
    const explained = deadline.expired
      ? timeoutError(operation.action(config), config, job.operationUrl, deadline.activity)
      : deadline.cancelled
        ? cancelError(operation.action(config), config, job.operationUrl, deadline.activity)
        : explainError(error, { action: operation.action(config), config, idTokenClaims: idTokens?.claims });
    const message = safeText([explained.message, ...whereThingsStand(job)].join('\n'), secrets);
    log.debug(secrets.redact(format('Underlying error: %O', error)));
    await host
      .writeSummary(renderSummary({ title, succeeded: false, ...job.summary, error: message }))
      .catch(() => undefined);
    return { succeeded: false, message };
  } finally {
    host.cancelSignal?.removeEventListener('abort', onCancel);
    deadline.clear();
  }
}

/** The operation's view of the run; Azure clients are created, and the SDKs loaded, on first use. */
function createJob(
  config: CommonConfig,
  context: RunContext,
  host: Host,
  secrets: SecretRegistry,
  deadline: Deadline,
  idTokens: IdTokenCache | undefined,
): Job {
  let credential: Promise<TokenCredential> | undefined;
  const signedIn = () =>
    (credential ??= import('./sign-in/credential').then(({ createCredential }) => {
      if (!config.signIn) throw new Error('This operation has no sign-in');
      return createCredential(config.signIn, config.cloud, secrets, idTokens, deadline);
    }));
  const running = new Map<string, string>();
  const job: Job = {
    log: host.log,
    context,
    deadline,
    setOutput: (name, value) => host.setOutput(name, value),
    summary: { rows: [], sections: [] },
    trackOperation(label, url) {
      running.set(url, label);
      host.setOutput('operationUrl', url);
      job.summary.rows.push([`${label}: operation`, url]);
    },
    operationFinished(url) {
      running.delete(url);
    },
    get running() {
      return [...running].map(([url, label]) => ({ label, url }));
    },
    get operationUrl() {
      return [...running.keys()].at(-1);
    },
    done: [],
    async apim(instance) {
      const [{ ApimInstance }, credential] = await Promise.all([import('./azure/apim'), signedIn()]);
      return new ApimInstance(credential, instance, config.cloud, host.log, deadline);
    },
    async catalog() {
      const { BackupCatalog } = await import('./azure/backups');
      const credential = config.storage.sharedKey ? undefined : await signedIn();
      return new BackupCatalog(config.storage, credential, describeStorageIdentity(config), deadline);
    },
  };
  return job;
}

function idTokenCache(
  signIn: Extract<SignIn, { method: 'oidc' }>,
  host: Host,
  secrets: SecretRegistry,
  deadline: Deadline,
  platform: Platform,
) {
  const request = host.requestIdToken;
  const source =
    platform === 'github'
      ? 'the GitHub OIDC endpoint (ACTIONS_ID_TOKEN_REQUEST_URL)'
      : 'the Azure DevOps OIDC endpoint (System.OidcRequestUri)';
  return cacheIdToken(() => {
    if (!request) throw new Error('The runner offers no ID token');
    // The GitHub toolkit's request takes no signal: the race ends it at the deadline all the same.
    return deadline.race(`requesting an ID token from ${source}`, (signal) =>
      request(signIn.audience, signal),
    );
  }, secrets);
}

/** Who the step reads storage as, for messages that say which role to grant to whom. */
function describeStorageIdentity(config: CommonConfig): string {
  if (config.storage.sharedKey) return 'the storage key';
  const signIn = config.signIn;
  switch (signIn?.method) {
    case 'client-secret':
    case 'client-certificate':
    case 'oidc':
      return `app '${signIn.clientId}'`;
    case 'managed-identity':
      return signIn.clientId ? `managed identity '${signIn.clientId}'` : "this machine's managed identity";
    case 'azure-cli':
      return 'the Azure CLI account';
    default:
      return 'the signed-in identity';
  }
}

function timeoutError(
  action: string,
  config: CommonConfig,
  operationUrl: string | undefined,
  activity: string | undefined,
): ActionableError {
  const waited = `${action} timed out after ${formatDuration(config.timing.timeoutMs)}${activity ? ` while ${activity}` : ''}.`;
  if (!operationUrl) {
    return new ActionableError(
      `${waited} Nothing is running in Azure on its behalf.`,
      'Timeout',
      'Raise timeout, or check that the runner reaches Azure quickly (sign-in, Resource Manager, storage).',
    );
  }
  const started = config.operation === 'status' ? 'The operation' : `The ${config.operation}`;
  return new ActionableError(
    `${waited} ${started} may still be running in Azure: its status is at ${operationUrl} (output ${inputName('operationUrl', config.platform)}). ${resumeHint(config.platform, operationUrl)}`,
    'Timeout',
    `Check the instance in the Azure portal before retrying: a second backup or restore now would conflict with the running one. Raise timeout for large instances (restores can take over an hour).`,
  );
}

function cancelError(
  action: string,
  config: CommonConfig,
  operationUrl: string | undefined,
  activity: string | undefined,
): ActionableError {
  if (!operationUrl) {
    return new ActionableError(
      `${action} was cancelled${activity ? ` while ${activity}` : ''}. Nothing was started in Azure.`,
      'Cancelled',
    );
  }
  const started = config.operation === 'status' ? 'The operation' : `The ${config.operation}`;
  return new ActionableError(
    `${action} was cancelled: the step stopped waiting. ${started} continues in Azure: its status is at ${operationUrl} (output ${inputName('operationUrl', config.platform)}). ${resumeHint(config.platform, operationUrl)}`,
    'Cancelled',
    'Do not start another backup or restore of the instance until this one ends: it would conflict.',
  );
}

/** What finished, what may still run in Azure (the operation-url output names the last), and how to undo. */
function whereThingsStand(job: Job): string[] {
  const lines: string[] = [];
  if (job.done.length > 0) lines.push('Done:', ...job.done.map((note) => `  - ${note}`));
  if (job.running.length > 0) {
    lines.push(
      'May still be running in Azure (output operation-url has the last):',
      ...job.running.map(({ label, url }) => `  - ${label}: ${url}`),
    );
  }
  if (job.recovery) lines.push(job.recovery);
  return lines;
}

/** In debug mode the SDKs' own logs help most; they go through the redacting logger like everything else. */
function routeSdkLogsToDebug(debug: Logger['debug']): void {
  setLogLevel('info');
  AzureLogger.log = (...args: unknown[]) => debug(format(...args).trimEnd());
}
