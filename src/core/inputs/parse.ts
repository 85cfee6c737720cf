/**
 * Validates and normalises every input in one place, before any sign-in: all problems are collected and reported
 * together, and nothing is sent anywhere when there is one. The operation says which parts it needs.
 */
import type { Operation } from '../operations/operation';
import { OPERATION_MODULES } from '../operations';
import { ConfigBuilder } from './builder';
import { CommonConfig, ConnectionInputs, InputError, RunContext } from './config';
import { resolveSignIn } from './sign-in';
import { INPUTS, Input, inputDefinition, OPERATIONS, OperationName, RawInputs, usedBy } from './table';

const NO_STORAGE = { account: '', container: '', blobEndpoint: '', customEndpoint: false };

export interface ParsedJob {
  operation: Operation<CommonConfig>;
  config: CommonConfig;
  /** Inputs given that this operation does not use: worth a warning, not a failure. */
  ignored: string[];
}

/** Validates raw inputs into the chosen operation's configuration, or throws an InputError listing every problem. */
export function parseJob(raw: RawInputs & ConnectionInputs, context: RunContext): ParsedJob {
  const builder = new ConfigBuilder(raw, context);
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
    platform: context.platform,
    cloud: cloud!,
    ...signIn,
    timing: builder.timing(),
    // status reads no storage: its inputs are not asked for.
    storage:
      !operation || usedBy(inputDefinition('storageAccount'), name)
        ? builder.storage(cloud, !raw.storageKey)
        : NO_STORAGE,
  };
  // An unknown operation still gets the instance and blob inputs checked, as a backup would use them.
  const config = (operation ?? OPERATION_MODULES.backup).configure(builder, common);
  if (builder.problems.length > 0) throw new InputError(builder.problems);
  return { operation: operation!, config, ignored: operation ? ignoredInputs(raw, name, builder) : [] };
}

function requireSignIn(builder: ConfigBuilder, operation: Operation<CommonConfig> | undefined) {
  // On Azure DevOps the sign-in comes from the service connection: without one there is nothing to check.
  if (builder.context.platform === 'azureDevOps' && builder.raw.serviceConnection === undefined) {
    builder.report(
      operation && !operation.usesInstance
        ? `${builder.name('serviceConnection')} is required to read the storage with a token; or give ${builder.name('storageKey')}`
        : `${builder.name('serviceConnection')} is required`,
    );
    return undefined;
  }
  return resolveSignIn(builder);
}

/**
 * Inputs given on purpose that the operation does not read: those without a default (the runners pass defaults
 * to every step) and not filled from the environment or the service connection.
 */
function ignoredInputs(raw: RawInputs, operation: OperationName, builder: ConfigBuilder): string[] {
  return (INPUTS as readonly Input[])
    .filter(
      (input) =>
        raw[input.key] !== undefined &&
        input.default === undefined &&
        input.githubEnvFallback === undefined &&
        !usedBy(input, operation),
    )
    .map((input) => `${builder.name(input.key)} is not used by ${operation}; it was ignored.`);
}
