/** The body of POST …/backup and …/restore (ApiManagementServiceBackupRestoreParameters) and its checks. */
import { json, Reply } from './http';

export type AccessType = 'AccessKey' | 'SystemAssignedManagedIdentity' | 'UserAssignedManagedIdentity';

export interface BackupRestoreParameters {
  storageAccount: string;
  containerName: string;
  backupName: string;
  accessType: AccessType;
  accessKey?: string;
  clientId?: string;
}

const ACCESS_TYPES: AccessType[] = [
  'AccessKey',
  'SystemAssignedManagedIdentity',
  'UserAssignedManagedIdentity',
];

/** Checks the body as the resource provider does: 400 InvalidRequestContent or ValidationError, else parameters. */
export function parseParameters(body: string): { parameters: BackupRestoreParameters } | { error: Reply } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      error: json(400, {
        error: {
          code: 'InvalidRequestContent',
          message: `The request content was invalid and could not be deserialized: '${reason}'.`,
        },
      }),
    };
  }
  const input = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const problems: { target: string; message: string }[] = [];
  const text = (field: string) =>
    typeof input[field] === 'string' && input[field] !== '' ? input[field] : undefined;
  for (const field of ['storageAccount', 'containerName', 'backupName']) {
    if (!text(field)) problems.push({ target: field, message: `The '${field}' field is required.` });
  }
  const accessType = (input.accessType ?? 'AccessKey') as AccessType;
  if (!ACCESS_TYPES.includes(accessType)) {
    problems.push({
      target: 'accessType',
      message: `'${String(input.accessType)}' is not a valid accessType. Allowed values: ${ACCESS_TYPES.join(', ')}.`,
    });
  } else if (accessType === 'AccessKey' && !text('accessKey')) {
    problems.push({
      target: 'accessKey',
      message: "The 'accessKey' field is required when accessType is 'AccessKey'.",
    });
  } else if (accessType !== 'AccessKey' && input.accessKey !== undefined) {
    problems.push({
      target: 'accessKey',
      message: `The 'accessKey' field must not be set when accessType is '${accessType}'.`,
    });
  }
  if (accessType === 'UserAssignedManagedIdentity' && !text('clientId')) {
    problems.push({
      target: 'clientId',
      message: "The 'clientId' field is required when accessType is 'UserAssignedManagedIdentity'.",
    });
  }
  if (problems.length > 0) {
    const details = problems.map((problem) => ({ code: 'ValidationError', ...problem }));
    const message = `One or more fields contain incorrect values: ${problems.map((p) => p.message).join(' ')}`;
    return { error: json(400, { error: { code: 'ValidationError', message, details } }) };
  }
  return {
    parameters: {
      storageAccount: text('storageAccount')!,
      containerName: text('containerName')!,
      backupName: text('backupName')!,
      accessType,
      accessKey: text('accessKey'),
      clientId: text('clientId'),
    },
  };
}
