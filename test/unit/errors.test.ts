/** explainError: what Azure and Entra answer, turned into a message with the code and a specific hint. */
import { RestError } from '@azure/core-rest-pipeline';
import { AuthenticationError } from '@azure/identity';
import type { RunContext } from '../../src/core/inputs/config';
import { parseJob } from '../../src/core/parse';
import type { Platform, RawInputs } from '../../src/core/inputs/table';
import { AzureError } from '../../src/core/azure/wait';
import { ActionableError, ErrorContext, ErrorSubject, explainError } from '../../src/core/report/errors';

const SUBSCRIPTION = '0b5c3a8e-1f2d-4c6b-9a7e-2d3f4a5b6c7d';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const IDENTITY = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const CLIENT_SECRET = 'Qx8~unit.test-client_secret.value';
const STORAGE_KEY = Buffer.from('unit-test-storage-account-key'.padEnd(64, '#')).toString('base64');
const SERVICE_SCOPE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/contoso-apim`;

const RAW: RawInputs = {
  operation: 'backup',
  tenantId: TENANT,
  clientId: CLIENT,
  subscriptionId: SUBSCRIPTION,
  resourceGroup: 'rg-apim',
  serviceName: 'contoso-apim',
  storageAccount: 'contosobackups',
  container: 'apim-backups',
  backupName: 'nightly.apimbackup',
};

function configOf(raw: RawInputs = {}, platform: Platform = 'github'): ErrorSubject {
  const context: RunContext = { platform, now: new Date(Date.UTC(2024, 2, 5)), idTokenAvailable: true };
  const extra: RawInputs = platform === 'azureDevOps' ? { serviceConnection: 'prod', auth: 'oidc' } : {};
  return parseJob({ ...RAW, ...extra, ...raw }, context).config;
}

function contextOf(
  raw: RawInputs = {},
  { platform, ...extra }: Partial<ErrorContext> & { platform?: Platform } = {},
): ErrorContext {
  const config = configOf(raw, platform);
  return {
    action: `${config.operation === 'backup' ? 'Backup' : 'Restore'} of API Management instance 'contoso-apim'`,
    config,
    ...extra,
  };
}

/** The explained error, with its message split at the hint. */
function explain(error: unknown, context: ErrorContext = contextOf()) {
  const explained = explainError(error, context);
  expect(explained).toBeInstanceOf(ActionableError);
  const [message, hint] = explained.message.split('\nWhat to do: ');
  expect(hint).toBe(explained.hint);
  return { explained, message, hint: explained.hint ?? '' };
}

/** An Entra ID failure as @azure/identity reports it. */
function entraError(error: string, description: string): AuthenticationError {
  return new AuthenticationError(400, {
    error,
    error_description: description,
    error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1])],
    timestamp: '2024-03-05 07:08:09Z',
    trace_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    correlation_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  });
}

/** A failed long-running operation as @azure/core-lro reports it: a plain Error, the code inside the message. */
function operationFailure(code: string, message: string): Error {
  return new Error(`The long-running operation has failed. ${code}. ${message}`);
}

describe('explainError: Azure Resource Manager', () => {
  it('AuthorizationFailed names the role and the scope from the message', () => {
    const scope = `${SERVICE_SCOPE}/extra`;
    const error = new RestError(
      `The client '${CLIENT}' with object id '${CLIENT}' does not have authorization to perform action 'Microsoft.ApiManagement/service/backup/action' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      { code: 'AuthorizationFailed', statusCode: 403 },
    );
    const { explained, message, hint } = explain(error);
    expect(explained.code).toBe('AuthorizationFailed');
    expect(message).toMatch(
      /^Backup of API Management instance 'contoso-apim' failed: AuthorizationFailed: The client/,
    );
    expect(message).toContain(
      "does not have authorization to perform action 'Microsoft.ApiManagement/service/backup/action'",
    );
    expect(hint).toContain("'API Management Service Contributor'");
    expect(hint).toContain(`on scope '${scope}'`);
    expect(hint).toContain("for 'Microsoft.ApiManagement/service/backup/action'");
  });

  it('a poll refused with AuthorizationFailed names the read permission, its role, the running operation and its URL', () => {
    const url = `https://management.azure.com${SERVICE_SCOPE}/operationresults/Y29udG9zby1hcGltX0JhY2t1cF8x==?api-version=2024-05-01`;
    const error = new AzureError(
      `The client '${CLIENT}' with object id '${CLIENT}' does not have authorization to perform action 'Microsoft.ApiManagement/service/operationresults/read' over scope '${SERVICE_SCOPE}/operationresults/Y29udG9zby1hcGltX0JhY2t1cF8x==' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      'AuthorizationFailed',
      403,
      url,
    );
    const github = explain(error);
    expect(github.explained.code).toBe('AuthorizationFailed');
    expect(github.message).toMatch(
      /^Backup of API Management instance 'contoso-apim' failed: Azure does not let this identity read the operation's status \(AuthorizationFailed: The client /,
    );
    expect(github.message).toContain(`The backup goes on in Azure: its status is at ${url}`);
    expect(github.hint).toContain(
      "grant the identity you signed in as 'API Management Service Contributor' (or a custom role with Microsoft.ApiManagement/service/operationresults/read)",
    );
    expect(github.hint).toContain(`on scope '${SERVICE_SCOPE}'`);
    expect(github.hint).toContain(`run the step with operation: status and operation-url: ${url}`);
    expect(github.hint).not.toContain('backup/action');

    const azureDevOps = explain(error, contextOf({ operation: 'restore' }, { platform: 'azureDevOps' }));
    expect(azureDevOps.message).toContain(`The restore goes on in Azure: its status is at ${url}`);
    expect(azureDevOps.hint).toContain(`operationUrl: ${url}`);
  });

  it('a 403 without a scope in the message falls back to the instance scope', () => {
    const { hint } = explain(new RestError('Forbidden', { statusCode: 403 }));
    expect(hint).toContain("'API Management Service Contributor'");
    expect(hint).toContain(`on scope '${SERVICE_SCOPE}'`);
  });

  it('ResourceNotFound points at the instance inputs by their platform names', () => {
    const error = new RestError(
      "The Resource 'Microsoft.ApiManagement/service/contoso-apim' under resource group 'rg-apim' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
      { code: 'ResourceNotFound', statusCode: 404 },
    );
    const github = explain(error);
    expect(github.explained.code).toBe('ResourceNotFound');
    expect(github.message).toContain(
      "ResourceNotFound: The Resource 'Microsoft.ApiManagement/service/contoso-apim'",
    );
    expect(github.hint).toBe(
      'Check service-name, resource-group and subscription-id, and that the identity can read the instance.',
    );
    const azureDevOps = explain(error, contextOf({}, { platform: 'azureDevOps' }));
    expect(azureDevOps.hint).toBe(
      'Check serviceName, resourceGroupName and subscriptionId, and that the identity can read the instance.',
    );
  });

  it('ResourceGroupNotFound names the group and the subscription', () => {
    const error = new RestError("Resource group 'rg-apim' could not be found.", {
      code: 'ResourceGroupNotFound',
      statusCode: 404,
    });
    const { message, hint } = explain(error);
    expect(message).toContain("ResourceGroupNotFound: Resource group 'rg-apim' could not be found.");
    expect(hint).toContain(`Resource group 'rg-apim' does not exist in subscription '${SUBSCRIPTION}'`);
  });

  it.each([
    new RestError('The API Management service is already in the middle of another operation.', {
      code: 'Conflict',
      statusCode: 409,
    }),
    new RestError("Operation on the API Management service 'contoso-apim' is in progress.", {
      code: 'ServiceLocked',
      statusCode: 409,
    }),
  ])('409 Conflict: another operation is running (%#)', (error) => {
    const { explained, message, hint } = explain(error);
    expect(message).toContain(`${explained.code}: ${error.message}`);
    expect(hint).toContain('Another management operation');
    expect(hint).toContain('Wait for it to finish and retry');
    expect(hint).toContain('concurrency group');
  });

  it('a network failure names the endpoint', () => {
    const { message, hint } = explain(
      new RestError('connect ECONNREFUSED 127.0.0.1:443', { code: 'REQUEST_SEND_ERROR' }),
    );
    expect(message).toContain('REQUEST_SEND_ERROR: connect ECONNREFUSED');
    expect(hint).toContain('Could not reach Azure (https://management.azure.com)');
  });

  it('uses the HTTP status when there is no code, and keeps only the first paragraph', () => {
    const { explained, message } = explain(
      new RestError('Internal server error.\n\nTroubleshooting: https://aka.ms/x', { statusCode: 500 }),
    );
    expect(explained.code).toBeUndefined();
    expect(message).toBe(
      "Backup of API Management instance 'contoso-apim' failed: HTTP 500: Internal server error.",
    );
  });
});

describe('explainError: the backup or restore itself', () => {
  it('an expired backup: backups live 30 days', () => {
    const context = contextOf({ operation: 'restore' });
    const { message, hint } = explain(
      operationFailure('InvalidParameters', 'Cannot restore: backup expired'),
      context,
    );
    expect(message).toContain("Restore of API Management instance 'contoso-apim' failed");
    expect(message).toContain('InvalidParameters. Cannot restore: backup expired');
    expect(hint).toContain('30 days');
    expect(hint).toContain("'nightly.apimbackup'");
  });

  it('the same, reported as a RestError', () => {
    const error = new RestError('Cannot restore: backup expired', {
      code: 'InvalidParameters',
      statusCode: 400,
    });
    const { message, hint } = explain(error, contextOf({ operation: 'restore' }));
    expect(message).toContain('InvalidParameters: Cannot restore: backup expired');
    expect(hint).toContain('30 days');
  });

  it('a SKU mismatch names both tiers', () => {
    const error = operationFailure(
      'InvalidParameters',
      "Cannot restore: current SKU is 'StandardV2', backup SKU is 'Standard'",
    );
    const { message, hint } = explain(error, contextOf({ operation: 'restore' }));
    expect(message).toContain(
      "InvalidParameters. Cannot restore: current SKU is 'StandardV2', backup SKU is 'Standard'",
    );
    expect(hint).toContain('same tier');
    expect(hint).toContain("'contoso-apim' from StandardV2 to Standard");
    expect(hint).toContain('taken from a StandardV2 instance');
  });

  it('a missing blob on restore names the blob, container and account', () => {
    const error = new RestError('The specified blob does not exist.', {
      code: 'BlobNotFound',
      statusCode: 404,
    });
    const { message, hint } = explain(error, contextOf({ operation: 'restore' }));
    expect(message).toContain('BlobNotFound: The specified blob does not exist.');
    expect(hint).toContain(
      "blob 'nightly.apimbackup' exists in container 'apim-backups' of storage account 'contosobackups'",
    );
  });

  const storageDenied = () =>
    operationFailure(
      'InvalidParameters',
      "Failed to access storage account 'contosobackups': This request is not authorized to perform this operation using this permission. (403) AuthorizationPermissionMismatch",
    );

  it.each([
    [
      'access key',
      { storageKey: STORAGE_KEY },
      "Check that storage-key is a current key of storage account 'contosobackups'",
    ],
    [
      'system-assigned identity',
      {},
      "Enable the system-assigned identity of 'contoso-apim' and grant it 'Storage Blob Data Contributor' on storage account 'contosobackups'",
    ],
    [
      'user-assigned identity',
      { storageAccess: 'user-assigned-identity', storageIdentityClientId: IDENTITY },
      `Assign identity '${IDENTITY}' to 'contoso-apim' and grant it 'Storage Blob Data Contributor' on storage account 'contosobackups'`,
    ],
  ] as [string, RawInputs, string][])('storage access denied with %s', (_label, raw, specific) => {
    const { message, hint } = explain(storageDenied(), contextOf(raw));
    expect(message).toContain('InvalidParameters');
    expect(message).toContain('(403) AuthorizationPermissionMismatch');
    expect(hint).toContain(specific);
    expect(hint).toContain('storage firewall');
    expect(hint).toContain('allow trusted Microsoft services');
    if (!raw.storageKey) expect(hint).not.toContain('storage-key');
    expect(hint).not.toContain('API Management Service Contributor');
  });

  it('storage access denied as a 403 RestError is about storage, not the instance role', () => {
    const error = new RestError('The storage account denied access: (403) Forbidden.', { statusCode: 403 });
    const { hint } = explain(error);
    expect(hint).toContain("'Storage Blob Data Contributor'");
    expect(hint).not.toContain('API Management Service Contributor');
  });

  it('names storageKey by its Azure DevOps name', () => {
    const context = contextOf({ storageKey: STORAGE_KEY }, { platform: 'azureDevOps' });
    expect(explain(storageDenied(), context).hint).toContain('Check that storageKey is a current key');
  });
});

describe('explainError: Entra ID sign-in', () => {
  const secretContext = () => contextOf({ clientSecret: CLIENT_SECRET });

  it('AADSTS700016: the app does not exist in the tenant', () => {
    const error = entraError(
      'unauthorized_client',
      `AADSTS700016: Application with identifier '${CLIENT}' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant.`,
    );
    const { explained, message, hint } = explain(error, secretContext());
    expect(explained.code).toBe('AADSTS700016');
    expect(message).toContain(`AADSTS700016: unauthorized_client Status code: 400`);
    expect(message).toContain(`Application with identifier '${CLIENT}' was not found`);
    expect(hint).toContain(`No application with client ID '${CLIENT}' exists in tenant '${TENANT}'`);
    expect(hint).toContain('Check client-id and tenant-id');
  });

  it('AADSTS7000215: the client secret is wrong, and the hint does not show it', () => {
    const error = entraError(
      'invalid_client',
      `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT}'.`,
    );
    const { explained, message, hint } = explain(error, secretContext());
    expect(explained.code).toBe('AADSTS7000215');
    expect(message).toContain('AADSTS7000215: invalid_client');
    expect(message).toContain('Invalid client secret provided');
    expect(hint).toContain(`Create a new secret for app '${CLIENT}' and update client-secret`);
    expect(hint).toContain("secret's value, not its ID");
    expect(explained.message).not.toContain(CLIENT_SECRET);
  });

  const federationError = () =>
    entraError(
      'invalid_request',
      "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:owner/name:ref:refs/heads/main'. Assertion Audience: 'api://AzureADTokenExchange'.",
    );

  it('AADSTS70021: prints the subject and issuer of the ID token to register', () => {
    const context = contextOf(
      {},
      {
        idTokenClaims: {
          iss: 'https://token.actions.githubusercontent.com',
          sub: 'repo:owner/name:environment:prod',
          aud: 'api://AzureADTokenExchange',
        },
      },
    );
    const { explained, message, hint } = explain(federationError(), context);
    expect(explained.code).toBe('AADSTS70021');
    expect(message).toContain('AADSTS70021: No matching federated identity record found');
    expect(hint).toContain(`No federated credential on app '${CLIENT}'`);
    expect(hint).toContain("subject 'repo:owner/name:environment:prod'");
    expect(hint).toContain("issuer 'https://token.actions.githubusercontent.com'");
    expect(hint).toContain("audience 'api://AzureADTokenExchange'");
    expect(hint).toContain('Federated credentials');
  });

  it('AADSTS70021 without claims: takes subject and issuer from the message', () => {
    const { hint } = explain(federationError(), contextOf());
    expect(hint).toContain("subject 'repo:owner/name:ref:refs/heads/main'");
    expect(hint).toContain("issuer 'https://token.actions.githubusercontent.com'");
  });

  it('AADSTS70021 with a custom audience: the credential to add uses that audience', () => {
    const context = contextOf(
      { audience: 'api://contoso-federation' },
      {
        idTokenClaims: {
          iss: 'https://issuer.example',
          sub: 'repo:o/n:ref:refs/heads/main',
          aud: 'api://contoso-federation',
        },
      },
    );
    const { hint } = explain(federationError(), context);
    expect(hint).toContain("audience 'api://contoso-federation'");
    expect(hint).not.toContain("audience 'api://AzureADTokenExchange'");
  });

  it('AADSTS700024: the ID token expired', () => {
    const error = entraError(
      'invalid_client',
      'AADSTS700024: Client assertion is not within its valid time range. Current time: 2024-03-05T07:08:09Z, assertion valid from 2024-03-05T06:00:00Z, expiry time of assertion 2024-03-05T06:05:00Z.',
    );
    const { explained, message, hint } = explain(error);
    expect(explained.code).toBe('AADSTS700024');
    expect(message).toContain('Client assertion is not within its valid time range');
    expect(hint).toContain('expired ID token');
    expect(hint).toContain('runner clock');
  });

  it('AADSTS90002: the tenant does not exist', () => {
    const error = entraError(
      'invalid_request',
      "AADSTS90002: Tenant 'contoso.example' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
    );
    const { explained, message, hint } = explain(error, contextOf({ tenantId: 'contoso.example' }));
    expect(explained.code).toBe('AADSTS90002');
    expect(message).toContain('AADSTS90002: invalid_request Status code: 400');
    expect(message).toContain("Tenant 'contoso.example' not found");
    expect(hint).toContain("Tenant 'contoso.example' was not found. Check tenant-id");
  });

  it("names the connection's values on Azure DevOps", () => {
    const error = entraError('invalid_request', "AADSTS90002: Tenant 'x' not found.");
    const { hint } = explain(error, contextOf({}, { platform: 'azureDevOps' }));
    expect(hint).toContain("Check the service connection's tenant id");
  });
});

describe('explainError: anything else', () => {
  it('keeps the message of an unknown error and gives no hint', () => {
    const error = new Error('The service answered something nobody expected: 42');
    const explained = explainError(error, contextOf());
    expect(explained.message).toBe(
      "Backup of API Management instance 'contoso-apim' failed: The service answered something nobody expected: 42",
    );
    expect(explained.hint).toBeUndefined();
    expect(explained.code).toBeUndefined();
    expect(explained.message).not.toContain('What to do');
  });

  it('keeps a code it does not know, without a hint', () => {
    const explained = explainError(
      new RestError('The quota is exceeded.', { code: 'QuotaExceeded', statusCode: 400 }),
      contextOf(),
    );
    expect(explained.message).toBe(
      "Backup of API Management instance 'contoso-apim' failed: QuotaExceeded: The quota is exceeded.",
    );
    expect(explained.hint).toBeUndefined();
  });

  it('copes with values that are not errors', () => {
    expect(explainError('plain text', contextOf()).message).toContain('failed: plain text');
    expect(explainError(undefined, contextOf()).message).toContain('failed: undefined');
  });

  it('passes an ActionableError through unchanged', () => {
    const error = new ActionableError('Already explained.', 'Timeout', 'Raise timeout.');
    expect(explainError(error, contextOf())).toBe(error);
    expect(error.message).toBe('Already explained.\nWhat to do: Raise timeout.');
  });
});

describe('explainError: MSAL-wrapped Entra answers', () => {
  it('keeps Entra’s description with its trace and correlation IDs, dropping the wrapper', () => {
    const wrapped = new Error(
      "AADSTS700016: unauthorized_client: Error(s): 700016 - Timestamp: 2026-11-24 00:53:52Z - Description: AADSTS700016: Application with identifier 'x' was not found in the directory 'y'. Trace ID: 7d843746-b00b Correlation ID: d492113e-4866 Timestamp: 2026-11-24 00:53:52Z - Correlation ID: d492113e-4866 - Trace ID: 7d843746-b00b",
    );
    const { message } = explain(wrapped);
    expect(message).toBe(
      "Backup of API Management instance 'contoso-apim' failed: AADSTS700016: Application with identifier 'x' was not found in the directory 'y'. (Trace ID: 7d843746-b00b, Correlation ID: d492113e-4866)",
    );
  });

  it('leaves other messages as they are', () => {
    const { message } = explain(new Error('Something else - Description: not an Entra code'));
    expect(message).toContain('Something else - Description: not an Entra code');
  });
});
