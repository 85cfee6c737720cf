/**
 * The whole job, independent of the pipeline system: validate → sign in → run the operation → report.
 * Never throws: the adapter gets a result whose message is ready to print (already redacted).
 */
import { format } from 'node:util';
import { AzureLogger, setLogLevel } from '@azure/logger';
import { Deadline } from './base/deadline';
import type { RunContext } from './inputs/config';
import { InputError } from './inputs/config';
import { parseJob, ParsedJob } from './parse';
import type { RawInputs } from './inputs/table';
import { createJob, idTokenCache } from './job';
import { Network } from './net/network';
import { describeSettings } from './net/proxy';
import type { Host, Logger } from './ports';
import { explainError } from './report/errors';
import { cancelError, cancelNotice, timeoutError, whereThingsStand } from './report/interrupted';
import { redactingHost, safeText, SecretRegistry } from './report/secrets';
import { renderSummary } from './report/summary';

export type RunResult = { succeeded: true } | { succeeded: false; message: string };

export async function runJob(
  raw: RawInputs,
  context: RunContext,
  unsafeHost: Host,
  secrets: SecretRegistry,
): Promise<RunResult> {
  const host = redactingHost(unsafeHost, secrets);
  if (context.proxy?.problem) {
    const message = `The proxy settings cannot be used; nothing was sent to Azure:\n  - ${context.proxy.problem}`;
    return { succeeded: false, message: safeText(message, secrets) };
  }
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

  const network = new Network(context.proxy, log.debug, context.profile.proxySetupHint);
  const route = context.proxy && describeSettings(context.proxy);
  if (route) log.info(route);

  const deadline = new Deadline(config.timing.timeoutMs, host.cancelSignal);
  const idTokens =
    config.signIn?.method === 'oidc'
      ? idTokenCache(config.signIn, host, secrets, deadline, context.profile.idTokenEndpoint, network)
      : undefined;
  const job = createJob(config, context, host, secrets, deadline, idTokens, network);
  const title = operation.title(config);
  // Said the moment the runner cancels, before anything else unwinds.
  const onCancel = () => log.warning(cancelNotice(config, job, deadline.activity));
  host.cancelSignal?.addEventListener('abort', onCancel, { once: true });
  try {
    await operation.run(config, job);
    if (idTokens) log.debug(`ID tokens fetched: ${idTokens.fetches}.`);
    await host.writeSummary(renderSummary({ title, succeeded: true, ...job.summary }));
    return { succeeded: true };
  } catch (error) {
    const explained = deadline.expired
      ? timeoutError(
          operation.action(config),
          config,
          job.operationUrl,
          deadline.activity,
          job.running.length,
        )
      : deadline.cancelled
        ? cancelError(
            operation.action(config),
            config,
            job.operationUrl,
            deadline.activity,
            job.running.length,
          )
        : explainError(error, {
            action: operation.action(config),
            config,
            idTokenClaims: idTokens?.claims,
            network,
          });
    const message = safeText([explained.message, ...whereThingsStand(config, job)].join('\n'), secrets);
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

/** In debug mode the SDKs' own logs help most; they go through the redacting logger like everything else. */
function routeSdkLogsToDebug(debug: Logger['debug']): void {
  setLogLevel('info');
  AzureLogger.log = (...args: unknown[]) => debug(format(...args).trimEnd());
}
