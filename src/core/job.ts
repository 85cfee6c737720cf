/**
 * The operation's view of one run (operations/operation.ts's Job): outputs, summary, what is started and done in
 * Azure, and the Azure clients, created (and the SDKs loaded) on first use with the one sign-in and deadline.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type { ArmResources } from './azure/arm-resources';
import type { BackupCatalog } from './azure/backups';
import type { Deadline } from './base/deadline';
import type { CommonConfig, RunContext, SignIn } from './inputs/config';
import type { Network } from './net/network';
import type { Job } from './operations/operation';
import type { Host } from './ports';
import type { SecretRegistry } from './report/secrets';
import { resourceManagerScope } from './inputs/clouds';
import { cacheIdToken, IdTokenCache } from './sign-in/id-token';

/** The operation's view of the run; Azure clients are created, and the SDKs loaded, on first use. */
export function createJob(
  config: CommonConfig,
  context: RunContext,
  host: Host,
  secrets: SecretRegistry,
  deadline: Deadline,
  idTokens: IdTokenCache | undefined,
  network: Network,
): Job {
  let credential: Promise<TokenCredential> | undefined;
  const signedIn = () =>
    (credential ??= import('./sign-in/credential').then(({ createCredential }) => {
      if (!config.signIn) throw new Error('This operation has no sign-in');
      return createCredential(config.signIn, config.cloud, secrets, idTokens, deadline, network);
    }));
  let arm: Promise<ArmResources> | undefined;
  let catalog: Promise<BackupCatalog> | undefined;
  const running = new Map<string, string>();
  /** The URL the operation-url output holds now. */
  let operationUrlOutput: string | undefined;
  const setOperationUrl = (url: string) => {
    operationUrlOutput = url;
    host.setOutput('operationUrl', url);
  };
  const job: Job = {
    log: host.log,
    context,
    deadline,
    setOutput: (name, value) => host.setOutput(name, value),
    async saveJson(stem, value) {
      const path = join(context.tempDir || tmpdir(), `${stem}-${randomUUID()}.json`);
      // 'wx': never overwrite; the name is new, so an existing file would be another step's.
      await writeFile(path, `${secrets.redact(JSON.stringify(value, null, 2))}\n`, { flag: 'wx' });
      return path;
    },
    summary: { rows: [], sections: [] },
    trackOperation(label, url, options) {
      running.set(url, label);
      setOperationUrl(url);
      if (options?.summary !== false) job.summary.rows.push([`${label}: operation`, url]);
    },
    operationMoved(from, to) {
      const entries = [...running].map(([url, label]): [string, string] => [url === from ? to : url, label]);
      running.clear();
      for (const [url, label] of entries) running.set(url, label);
      if (job.operationUrl === to) setOperationUrl(to);
      for (const row of job.summary.rows) if (row[1] === from) row[1] = to;
    },
    operationFinished(url) {
      running.delete(url);
      // Operations started side by side finish in any order: while one still runs, the output names it (the one
      // to resume on timeout or cancel), not one that has finished.
      const stillRunning = job.operationUrl;
      if (operationUrlOutput === url && stillRunning) setOperationUrl(stillRunning);
    },
    get running() {
      return [...running].map(([url, label]) => ({ label, url }));
    },
    get operationUrl() {
      return [...running.keys()].at(-1);
    },
    done: [],
    async apim(instance, log = host.log) {
      const credential = await signedIn();
      // The token request goes out before the Resource Manager SDK loads: Entra answers while it compiles.
      const token = credential.getToken(resourceManagerScope(config.cloud));
      token.catch(() => undefined); // met below, once the SDK is loaded
      const { ApimInstance } = await import('./azure/apim');
      await token;
      return new ApimInstance(credential, instance, config.cloud, log, deadline, network, config.profile);
    },
    catalog() {
      catalog ??= (async () => {
        const { BackupCatalog } = await import('./azure/backups');
        const credential = config.storage.sharedKey ? undefined : await signedIn();
        return new BackupCatalog(
          config.storage,
          credential,
          describeStorageIdentity(config),
          deadline,
          network,
        );
      })();
      // A failure is not kept: the next use tries again and reports it.
      catalog.catch(() => (catalog = undefined));
      return catalog;
    },
    async instances(scope) {
      const [{ listInstances }, credential] = await Promise.all([import('./azure/instances'), signedIn()]);
      return listInstances(credential, scope, config.cloud, deadline, network);
    },
    arm() {
      return (arm ??= Promise.all([import('./azure/arm-resources'), signedIn()]).then(
        ([{ ArmResources }, credential]) =>
          new ArmResources(credential, config.cloud, deadline, host.log, network),
      ));
    },
    signedInAs: describeSignedIn(config),
  };
  return job;
}

/** `endpoint`: the runner's OIDC endpoint, for messages (the platform profile's idTokenEndpoint). */
export function idTokenCache(
  signIn: Extract<SignIn, { method: 'oidc' }>,
  host: Host,
  secrets: SecretRegistry,
  deadline: Deadline,
  endpoint: string,
  network: Network,
) {
  const request = host.requestIdToken;
  return cacheIdToken(() => {
    if (!request) throw new Error('The runner offers no ID token');
    // The GitHub toolkit's request takes no signal: the race ends it at the deadline all the same.
    return deadline.race(
      `requesting an ID token from ${endpoint}`,
      (signal) => request(signIn.audience, signal, network.send),
      {
        blocking: true,
      },
    );
  }, secrets);
}

/** Who the step reads storage as, for messages that say which role to grant to whom. */
function describeStorageIdentity(config: CommonConfig): string {
  return config.storage.sharedKey ? 'the storage key' : describeSignedIn(config);
}

/** Who the step signs in to Azure as. */
function describeSignedIn(config: CommonConfig): string {
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
