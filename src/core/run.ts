/**
 * The whole job, independent of the pipeline system: validate, sign in, run the operation, report.
 * Never throws: the adapter gets a result whose message is ready to print (already redacted).
 */
import { format } from 'node:util';
import { AzureLogger, setLogLevel } from '@azure/logger';
import { Config, ConnectionInputs, InputError, parseConfig, RunContext } from './config';
import { formatDuration } from './duration';
import { explainError } from './errors';
import { cacheIdToken, IdTokenCache } from './id-token';
import type { RawInputs } from './inputs';
import type { Host } from './ports';
import { redactingHost, SecretRegistry } from './secrets';
import { blobUrl, describeAccess, renderSummary } from './summary';

export type RunResult = { succeeded: true } | { succeeded: false; message: string };

export async function runJob(
  raw: RawInputs & ConnectionInputs,
  context: RunContext,
  unsafeHost: Host,
  secrets: SecretRegistry,
): Promise<RunResult> {
  const host = redactingHost(unsafeHost, secrets);
  let config: Config;
  try {
    config = parseConfig(raw, context);
  } catch (error) {
    const message = error instanceof InputError ? error.message : String(error);
    return { succeeded: false, message: secrets.redact(message) };
  }

  const { log } = host;
  if (log.debugEnabled) routeSdkLogsToDebug(log.debug);
  const backupUrl = blobUrl(config);
  host.setOutput('backupName', config.backupName);
  host.setOutput('backupUrl', backupUrl);
  log.info(describeJob(config));
  log.info(`Signing in with ${config.signIn.method}: ${config.signInReason}.`);

  let idTokens: IdTokenCache | undefined;
  const summary = { config, backupUrl, operationUrl: undefined as string | undefined };
  try {
    if (config.signIn.method === 'oidc') {
      const { audience } = config.signIn;
      const request = host.requestIdToken;
      if (!request) throw new Error('The runner offers no ID token');
      idTokens = cacheIdToken(() => request(audience), secrets);
    }
    // Loaded only now: the Azure SDKs are most of the bundle, and a run that stops at validation never needs them.
    const [{ createCredential }, { runApimOperation }] = await Promise.all([
      import('./credential'),
      import('./apim-operation'),
    ]);
    const credential = createCredential(config.signIn, config.cloud, secrets, idTokens);
    const outcome = await runApimOperation(config, credential, log, {
      onOperationUrl: (url) => {
        summary.operationUrl = url;
        host.setOutput('operationUrl', url);
      },
    });
    host.setOutput('durationSeconds', String(Math.round(outcome.durationMs / 1000)));
    if (idTokens) log.debug(`ID tokens fetched: ${idTokens.fetches}.`);
    await host.writeSummary(renderSummary({ ...summary, succeeded: true, ...outcome }));
    return { succeeded: true };
  } catch (error) {
    const explained = explainError(error, {
      action: `${config.operation === 'backup' ? 'Backup' : 'Restore'} of API Management instance '${config.serviceName}'`,
      config,
      platform: context.platform,
      idTokenClaims: idTokens?.claims,
    });
    const message = secrets.redact(explained.message);
    log.debug(secrets.redact(format('Underlying error: %O', error)));
    await host
      .writeSummary(renderSummary({ ...summary, succeeded: false, error: message }))
      .catch(() => undefined);
    return { succeeded: false, message };
  }
}

function describeJob(config: Config): string {
  const instance = `API Management instance '${config.serviceName}' (resource group '${config.resourceGroup}', subscription '${config.subscriptionId}')`;
  const blob = `blob '${config.backupName}' in container '${config.container}' of storage account '${config.storageAccount}'`;
  const what =
    config.operation === 'backup'
      ? `Backing up ${instance} to ${blob}`
      : `Restoring ${instance} from ${blob}`;
  return `${what}, using ${describeAccess(config)}. Timeout ${formatDuration(config.timeoutMs)}, polling every ${formatDuration(config.pollIntervalMs)} unless Azure asks otherwise.`;
}

/** In debug mode the SDKs' own logs help most; they go through the redacting logger like everything else. */
function routeSdkLogsToDebug(debug: (message: string) => void): void {
  setLogLevel('info');
  AzureLogger.log = (...args: unknown[]) => debug(format(...args).trimEnd());
}
