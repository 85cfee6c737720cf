/**
 * Validates and normalises every input in one place, before any sign-in: all problems are collected and reported
 * together, and nothing is sent anywhere when there is one. The operation says which parts it needs. It picks the
 * operation and wraps it for several instances, so it sits beside run.ts, above the operations and the fleet.
 */
import { fleetOf, FleetConfig } from './fleet/operation';
import { isFleet } from './inputs/selection';
import type { Operation, RunnableOperation } from './operations/operation';
import { OPERATION_MODULES } from './operations';
import { ConfigBuilder } from './inputs/builder';
import { checkServiceName } from './inputs/naming-rules';
import {
  CommonConfig,
  ConnectionInputs,
  Instance,
  InputError,
  RunContext,
  ServiceConnection,
} from './inputs/config';
import { recordReads } from './inputs/record-reads';
import { resolveSignIn } from './inputs/sign-in';
import {
  FLEET_OPERATIONS,
  FleetOperationName,
  INPUTS,
  Input,
  inputDefinition,
  OPERATIONS,
  OperationName,
  RawInputs,
  usedBy,
} from './inputs/table';

const NO_STORAGE = { account: '', container: '', blobEndpoint: '', customEndpoint: false };

export interface ParsedJob {
  operation: RunnableOperation<CommonConfig>;
  config: CommonConfig;
  /** Inputs given that this operation does not use: worth a warning, not a failure. */
  ignored: string[];
}

/**
 * Validates raw inputs into the chosen operation's configuration, or throws an InputError listing every problem.
 * `reads`: when given, collects the key of every input read (test/unit/declared-io.test.ts).
 */
export function parseJob(inputs: RawInputs, context: RunContext, reads?: Set<string>): ParsedJob {
  const given = withConnection(inputs, context.connection);
  const raw = reads ? recordReads(given, reads) : given;
  const name = (raw.operation ?? '').toLowerCase() as OperationName;
  if ((FLEET_OPERATIONS as readonly string[]).includes(name) && isFleet(raw.serviceName)) {
    return parseFleet(given, context, name as FleetOperationName, reads);
  }
  return parseOne(given, context, reads);
}

/** The inputs with a found connection's values beneath them: an input given wins (a subscription override). */
function withConnection(
  given: RawInputs,
  connection: ServiceConnection | undefined,
): RawInputs & ConnectionInputs {
  if (!connection?.found) return given;
  const inputs = Object.entries(given).filter(([, value]) => value !== undefined);
  return { ...connection.values, ...Object.fromEntries(inputs) };
}

/** One instance (or none: list and prune of one instance's backups, status, discover). */
function parseOne(given: RawInputs & ConnectionInputs, context: RunContext, reads?: Set<string>): ParsedJob {
  const builder = new ConfigBuilder(reads ? recordReads(given, reads) : given, context);
  const { raw } = builder;
  const name = (raw.operation ?? '').toLowerCase() as OperationName;
  const operation = OPERATIONS.includes(name) ? OPERATION_MODULES[name] : undefined;
  if (!raw.operation) builder.required('operation');
  else if (!operation) builder.problem('operation', `must be ${OPERATIONS.join(', ')}`);

  // list and prune read only storage: with a storage key they need no Azure sign-in at all.
  const needsSignIn = !operation || operation.usesInstance || !raw.storageKey;
  const cloud = builder.cloud();
  const signIn = needsSignIn ? requireSignIn(builder, operation) : undefined;
  const common: CommonConfig = {
    operation: name,
    profile: context.profile,
    cloud: cloud!,
    ...signIn,
    timing: builder.timing(!operation || operation.polls),
    // status and discover read no storage: its inputs are not asked for.
    storage:
      !operation || usedBy(inputDefinition('storageAccount'), name)
        ? builder.storage(cloud, !raw.storageKey)
        : NO_STORAGE,
  };
  // An unknown operation still gets the instance and blob inputs checked, as a backup would use them.
  const config = (operation ?? OPERATION_MODULES.backup).configure(builder, common);
  if (builder.problems.length > 0) throw new InputError(builder.problems);
  return {
    operation: operation!,
    config,
    ignored: operation ? ignoredInputs(given, name, builder, false) : [],
  };
}

/**
 * Several instances: where to find them and how many at once, checked here; everything else is checked as a
 * single run of the operation would check it, for an instance named like the selection. Each instance's own
 * configuration is built the same way once the instances are known.
 */
function parseFleet(
  given: RawInputs & ConnectionInputs,
  context: RunContext,
  name: FleetOperationName,
  reads?: Set<string>,
): ParsedJob {
  const builder = new ConfigBuilder(reads ? recordReads(given, reads) : given, context);
  const { raw } = builder;
  const operation = OPERATION_MODULES[name];
  const scope = builder.fleetScope();
  const selection = builder.selection();
  const maxParallel = builder.wholeNumber('maxParallel', 1, 20);
  // The instances are listed in Resource Manager, whatever reads the backups.
  const signIn = requireSignIn(builder, operation, true);
  if (raw.sourceServiceName !== undefined) {
    builder.report(
      `${builder.name('sourceServiceName')} names one instance's backups; with several instances in ${builder.name('serviceName')} each instance's own backups are meant: remove it`,
    );
  }
  if (name === 'backup' && raw.backupName !== undefined && !raw.backupName.includes('{service}')) {
    builder.report(
      `${builder.name('backupName')} '${raw.backupName}' would be the same blob for every instance: put {service} in it`,
    );
  }
  if (name === 'backup' && raw.wait?.toLowerCase() === 'false') {
    builder.report(
      `${builder.name('wait')}: false hands over one operation to wait for later; with several instances the step waits for each: remove it (or run one instance a step, e.g. through discover and a matrix)`,
    );
  }

  // An instance named like the selection, so that messages about the rest read naturally.
  const likeSelection = selection.names[0] ?? selection.patterns[0]?.replace(/\*/g, 'x') ?? 'x';
  const representativeName = checkServiceName(likeSelection) ? 'x' : likeSelection;
  const configureInstance = (instance: Instance) => parseOne(instanceInputs(given, instance), context).config;
  let representative: CommonConfig | undefined;
  try {
    // What the representative reads, each instance reads: it counts as read by the fleet.
    representative = parseOne(
      instanceInputs(given, {
        subscriptionId: scope.subscriptionId,
        // Where the instances are is known only once they are listed; the rest is checked with any valid group.
        resourceGroup: scope.resourceGroup ?? 'rg',
        serviceName: representativeName,
      }),
      context,
      reads,
    ).config;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    for (const problem of error.problems) if (!builder.problems.includes(problem)) builder.report(problem);
  }
  if (builder.problems.length > 0) throw new InputError(builder.problems);

  const { profile, cloud, timing, storage } = representative!;
  const config: FleetConfig = {
    profile,
    cloud,
    timing,
    storage,
    ...signIn,
    operation: name,
    scope,
    selection,
    maxParallel,
    representative: representative!,
    configureInstance,
  };
  return { operation: fleetOf(operation), config, ignored: ignoredInputs(given, name, builder, true) };
}

/** The step's inputs as a single run of one instance of a fleet would get them. */
function instanceInputs(raw: RawInputs & ConnectionInputs, instance: Instance): RawInputs & ConnectionInputs {
  return {
    ...raw,
    maxParallel: undefined,
    instanceTags: undefined,
    subscriptionId: instance.subscriptionId,
    resourceGroup: instance.resourceGroup,
    serviceName: instance.serviceName,
  };
}

function requireSignIn(
  builder: ConfigBuilder,
  operation: Operation<CommonConfig> | undefined,
  listsInstances = false,
) {
  // Where the sign-in comes from a service connection, a step that names none has nothing to check.
  if (builder.context.profile.signIn.from === 'connection' && builder.raw.serviceConnection === undefined) {
    builder.report(
      operation && !operation.usesInstance && !listsInstances
        ? `${builder.name('serviceConnection')} is required to read the storage with a token; or give ${builder.name('storageKey')}`
        : `${builder.name('serviceConnection')} is required`,
    );
    return undefined;
  }
  return resolveSignIn(builder);
}

/**
 * Inputs given on purpose that the operation does not read: those without a default (the runners pass defaults
 * to every step) and not filled from the environment or the service connection. Given the unrecorded inputs:
 * looking at every input to find the unused ones is not reading them.
 */
function ignoredInputs(
  raw: RawInputs,
  operation: OperationName,
  builder: ConfigBuilder,
  fleet: boolean,
): string[] {
  return (INPUTS as readonly Input[])
    .filter(
      (input) =>
        raw[input.key] !== undefined &&
        input.default === undefined &&
        input.githubEnvFallback === undefined &&
        !usedBy(input, operation, fleet),
    )
    .map((input) => `${builder.name(input.key)} is not used by ${operation}; it was ignored.`);
}
