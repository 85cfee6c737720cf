/**
 * The parts every operation's configuration is built from. Each operation declares which parts it needs
 * (operations/*.ts); all of them are validated before anything is sent.
 */
import type { ProxySettings } from '../net/proxy';
import type { PlatformProfile } from '../ports';
import type { Cloud } from './clouds';
import type { OperationName, RawInputs } from './table';

export type SignIn =
  | { method: 'client-secret'; tenantId: string; clientId: string; clientSecret: string }
  | { method: 'client-certificate'; tenantId: string; clientId: string; certificatePem: string }
  | { method: 'oidc'; tenantId: string; clientId: string; audience: string }
  | { method: 'managed-identity'; clientId?: string }
  | { method: 'azure-cli'; tenantId?: string };

export type SignInMethod = SignIn['method'];

/** An API Management instance in Azure Resource Manager. */
export interface Instance {
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
}

/** How API Management itself reaches the storage account (the REST accessType). */
export type ApimStorageAccess =
  | { type: 'AccessKey'; key: string }
  | { type: 'SystemAssignedManagedIdentity' }
  | { type: 'UserAssignedManagedIdentity'; clientId: string };

/** Where the backups are, and how the step itself reads them. */
export interface StorageLocation {
  account: string;
  container: string;
  /** Blob service URL without a trailing slash. */
  blobEndpoint: string;
  /** True when blob-endpoint was given (an emulator, private DNS or a custom cloud). */
  customEndpoint: boolean;
  /** Shared Key access when a storage key is given; otherwise the signed-in identity's token. */
  sharedKey?: { accountName: string; key: string };
}

/** Where the storage account lives in Resource Manager, as far as the user said (for the pre-flight checks). */
export interface StorageAccountScope {
  resourceGroup?: string;
  subscriptionId?: string;
}

export interface Timing {
  timeoutMs: number;
  pollIntervalMs: number;
}

/** What every operation has. */
export interface CommonConfig {
  operation: OperationName;
  /** The pipeline system's names for inputs and outputs, and what else differs there (RunContext.profile). */
  profile: PlatformProfile;
  cloud: Cloud;
  /** Undefined when the operation needs no Azure sign-in (list or prune with a storage key). */
  signIn?: SignIn;
  /** Why `signIn.method` was chosen, for the log. */
  signInReason?: string;
  timing: Timing;
  storage: StorageLocation;
}

/** Facts about the run that are not inputs. */
export interface RunContext {
  /** What differs on the pipeline system the step runs on; the adapter's own. */
  profile: PlatformProfile;
  /**
   * The service connection the step names (its serviceConnection input), as the adapter read it, where the
   * profile's sign-in comes from a connection; undefined when the step names none.
   */
  connection?: ServiceConnection;
  now: Date;
  runId?: string;
  /** Link to the pipeline run, stamped on backups. */
  runUrl?: string;
  /** The commit the run built, stamped on backups. */
  commit?: string;
  /** The runner can hand out an OIDC ID token (GitHub: `id-token: write`; Azure DevOps: federated connection). */
  idTokenAvailable: boolean;
  /** An Azure CLI session exists (e.g. from an earlier azure/login step). */
  azureCliSignedIn?: boolean;
  /** The proxy every request goes through, as the adapter read it (HTTPS_PROXY, the agent's proxy); none: direct. */
  proxy?: ProxySettings;
  /**
   * The runner's temp folder (RUNNER_TEMP, Agent.TempDirectory), where the step leaves files for later steps of the
   * job; the system's temp folder when the runner names none.
   */
  tempDir?: string;
}

/** A value only a service connection supplies: no input takes it. */
export type ConnectionInputs = { clientCertificate?: string };

/**
 * A service connection as the adapter read it: the whole contract between it and the core. Its values stand in for
 * inputs the system does not take; an input the step is given wins over them (subscriptionId overrides the
 * connection's subscription).
 */
export type ServiceConnection =
  | { found: false; name: string }
  | {
      found: true;
      name: string;
      /** The scheme as the system names it ("ServicePrincipal"), for messages. */
      scheme: string;
      /** The sign-in method the adapter maps the scheme to; undefined for a scheme it has none for. */
      method?: ConnectionSignInMethod;
      values: ConnectionValues;
    };

/** A connection signs in as an app or a managed identity; an Azure CLI session is the machine's, not a connection's. */
export type ConnectionSignInMethod = Exclude<SignInMethod, 'azure-cli'>;

export type ConnectionValues = Pick<
  RawInputs,
  | 'tenantId'
  | 'clientId'
  | 'clientSecret'
  | 'subscriptionId'
  | 'environment'
  | 'resourceManagerEndpoint'
  | 'authorityHost'
> &
  ConnectionInputs;

export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The inputs are not valid; nothing was sent to Azure:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'InputError';
  }
}
