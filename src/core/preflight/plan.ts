/**
 * What pre-flight checks, for whom, and what a check found. A backup, restore or copy that Azure accepts can still
 * fail at its end, up to hours later, for a handful of known reasons that Resource Manager shows beforehand; the
 * checks read them in one round of requests (gather.ts) and judge them with pure rules (rules.ts).
 */
import type { InstanceFacts } from '../azure/apim';
import type {
  BlobService,
  Read,
  ReadFailure,
  RoleAssignment,
  RoleDefinition,
  StorageAccount,
  WorkspaceLink,
} from '../azure/arm-resources';
import type { ApimStorageAccess, Instance } from '../inputs/config';
import type { PlatformProfile } from '../ports';

/** What an instance's identity must do in the container: write to be backed up, read to be restored. */
export type DataNeed = 'read' | 'write';

export interface PreflightSubject {
  instance: Instance;
  facts: InstanceFacts;
  needs: DataNeed[];
}

export interface StorageAccountRef {
  account: string;
  container: string;
  /** Where the account lives, when the user said (storage-resource-group); else found by listing. */
  resourceGroup?: string;
  /** storage-subscription-id; else the instances' subscriptions are searched. */
  subscriptionId?: string;
}

export interface PreflightPlan {
  /** The first is the instance beside which the account is looked for first (a copy's target). */
  subjects: PreflightSubject[];
  access: ApimStorageAccess;
  storage: StorageAccountRef;
  /** For input names in what to do. */
  profile: PlatformProfile;
}

/** Everything the rules judge, as gather.ts reads it. */
export interface PreflightReads {
  account: Read<StorageAccount>;
  blobService: Read<BlobService>;
  /** By principal ID, lower case. */
  assignments: Map<string, Read<RoleAssignment[]>>;
  /** By role GUID, lower case: those listed at the account and those read one by one. */
  definitions: Map<string, RoleDefinition>;
  /** Why some definitions could not be read, when so. */
  definitionsFailure?: ReadFailure;
  /** By instance resource ID, lower case. */
  workspaceLinks: Map<string, Read<WorkspaceLink[]>>;
  /** Rounds of requests it took: 1 unless a guess missed. */
  rounds: number;
}

/**
 * error: Azure would certainly fail the operation; warning: it likely would; ok: passed; skipped: the step could
 * not read what the check needs (never a reason to stop).
 */
export type Severity = 'error' | 'warning' | 'ok' | 'skipped';

export const CHECK_TITLES = {
  'sign-in': 'Sign-in',
  instance: 'Instance',
  tier: 'Tier',
  permissions: 'Backup and restore permission',
  identity: 'Instance identity',
  'workspace-gateways': 'Workspace gateways',
  'storage-account': 'Storage account',
  'shared-key': 'Shared Key access',
  firewall: 'Storage firewall',
  cors: 'Blob service CORS',
  'data-role': 'Data role on the account',
  'storage-read': 'Step reads the container',
  'storage-write': 'Step writes the container',
} as const;

export type CheckName = keyof typeof CHECK_TITLES;

export interface Finding {
  check: CheckName;
  /** The instance it is about, when it is about one. */
  instance?: string;
  severity: Severity;
  /** What was found, naming the resource read. */
  message: string;
  /** Exactly what to change. */
  fix?: string;
  /** skipped: the read that failed. */
  cause?: ReadFailure;
}
