/**
 * Everything the pre-flight rules judge, read in one round of parallel requests. The reads at the storage account
 * need its resource ID before the account is found, so they start at a guess — storage-resource-group, else the
 * instance's resource group, where the account usually is — beside the search; only a wrong guess, or a role
 * assigned through a custom role the listing at the account does not show, costs a second round.
 */
import {
  ArmResources,
  Read,
  ReadFailure,
  RoleDefinition,
  StorageAccount,
  storageAccountId,
} from '../azure/arm-resources';
import { roleGuid } from './permissions';
import type { PreflightPlan, PreflightReads } from './plan';
import { storageIdentity } from './rules';

export async function gather(arm: ArmResources, plan: PreflightPlan): Promise<PreflightReads> {
  const { storage, subjects } = plan;
  const primary = subjects[0].instance;
  const subscriptionId = storage.subscriptionId ?? primary.subscriptionId;
  const guess = storageAccountId(
    subscriptionId,
    storage.resourceGroup ?? primary.resourceGroup,
    storage.account,
  );
  const principals = unique(
    subjects.flatMap((subject) => {
      const identity = storageIdentity(subject, plan);
      return identity?.ok ? [identity.principalId.toLowerCase()] : [];
    }),
  );
  // Without a resource group the account is searched in its subscription, or the instances' when none was given.
  const searched = storage.resourceGroup
    ? []
    : unique([
        subscriptionId,
        ...(storage.subscriptionId ? [] : subjects.map((s) => s.instance.subscriptionId)),
      ]);

  const atAccount = (id: string) => ({
    blobService: arm.blobService(id),
    assignments: Promise.all(principals.map((principal) => arm.roleAssignments(id, principal))),
    definitions: principals.length > 0 ? arm.roleDefinitions(id) : undefined,
  });
  // One Promise.all over every read in flight: a deadline that ends one leaves none unhandled.
  const guessed = atAccount(guess);
  const [account, links, ...atGuess] = await Promise.all([
    findAccount(arm, storage.account, guess, searched),
    Promise.all(subjects.map((subject) => arm.workspaceLinks(subject.facts.id))),
    guessed.blobService,
    guessed.assignments,
    guessed.definitions,
  ]);
  let rounds = 1;
  let [blobService, assignmentReads, listed] = atGuess;
  if (account.ok && account.value.id.toLowerCase() !== guess.toLowerCase()) {
    rounds += 1;
    const found = atAccount(account.value.id);
    [blobService, assignmentReads, listed] = await Promise.all([
      found.blobService,
      found.assignments,
      found.definitions,
    ]);
  }

  const definitions = new Map<string, RoleDefinition>();
  let definitionsFailure: ReadFailure | undefined;
  if (listed?.ok)
    for (const definition of listed.value) definitions.set(definition.name.toLowerCase(), definition);
  else if (listed) definitionsFailure = listed;
  // Custom roles assignable only below the account are not listed at it: read those by ID.
  const missing = unique(
    assignmentReads
      .flatMap((read) => (read.ok ? read.value : []))
      .map((assignment) => assignment.properties.roleDefinitionId)
      .filter((id) => !definitions.has(roleGuid(id))),
  );
  if (missing.length > 0 && !definitionsFailure) {
    rounds += 1;
    for (const read of await Promise.all(missing.map((id) => arm.roleDefinition(id)))) {
      if (read.ok) definitions.set(read.value.name.toLowerCase(), read.value);
      else definitionsFailure ??= read;
    }
  }

  return {
    account,
    blobService,
    assignments: new Map(principals.map((principal, i) => [principal, assignmentReads[i]])),
    definitions,
    definitionsFailure,
    workspaceLinks: new Map(subjects.map((subject, i) => [subject.facts.id.toLowerCase(), links[i]])),
    rounds,
  };
}

/** The account by its ID, or by its name among the accounts of the subscriptions searched. */
async function findAccount(
  arm: ArmResources,
  name: string,
  id: string,
  subscriptions: string[],
): Promise<Read<StorageAccount>> {
  if (subscriptions.length === 0) return arm.storageAccount(id);
  const lists = await Promise.all(subscriptions.map((subscription) => arm.storageAccounts(subscription)));
  for (const list of lists) {
    const found = list.ok
      ? list.value.find((account) => account.name.toLowerCase() === name.toLowerCase())
      : undefined;
    if (found) return { ok: true, value: found, resource: found.id };
  }
  // A list the step may not read hides the account rather than proving it absent.
  const failed = lists.find((list): list is ReadFailure => !list.ok);
  if (failed) return failed;
  const where = subscriptions.map((subscription) => `'${subscription}'`).join(' and ');
  return {
    ok: false,
    reason: 'not-found',
    resource: lists[0].resource,
    detail: `no storage account named '${name}' among those the step can see in subscription ${where}`,
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
