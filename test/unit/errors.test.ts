/** explainError: what Azure and Entra answer, turned into a message with the code and a specific hint. */
import { RestError } from '@azure/core-rest-pipeline';
import { AuthenticationError } from '@azure/identity';
import type { RunContext } from '../../src/core/inputs/config';
import { parseJob } from '../../src/core/parse';
import type { RawInputs } from '../../src/core/inputs/table';
import { AzureError } from '../../src/core/azure/wait';
import { ActionableError, ErrorContext, ErrorSubject, explainError } from '../../src/core/report/errors';
import { connectionOf, PlatformName, PROFILES } from './platforms';

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

function configOf(raw: RawInputs = {}, platform: PlatformName = 'github'): ErrorSubject {
  const context: RunContext = {
    profile: PROFILES[platform],
    now: new Date(Date.UTC(2024, 2, 5)),
    idTokenAvailable: true,
  };
  if (platform === 'azureDevOps') {
    // The tenant and client come from a workload identity connection.
    const { tenantId, clientId, ...inputs } = RAW;
    context.connection = connectionOf('oidc', { tenantId, clientId }, 'WorkloadIdentityFederation', 'prod');
    return parseJob({ ...inputs, serviceConnection: 'prod', ...raw }, context).config;
  }
  return parseJob({ ...RAW, ...raw }, context).config;
}

function contextOf(
  raw: RawInputs = {},
  { platform, ...extra }: Partial<ErrorContext> & { platform?: PlatformName } = {},
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

/**
 * Every case of the hint table, word for word, in the order the table tries them: a change to any hint's text,
 * to what a case matches, or to the order of the cases turns one of these red.
 */
describe('explainError: the hint of every case, word for word', () => {
  const AUTHORIZATION_SCOPE = `${SERVICE_SCOPE}/extra`;
  const CONFLICT_HINT =
    'Another management operation (a deployment, a scale, or a backup or restore) is running on the instance. Wait for it to finish and retry; serialise pipeline runs that touch the same instance (a concurrency group on GitHub, an exclusive lock on Azure DevOps).';
  const STORAGE_TAIL =
    'With a storage firewall, allow trusted Microsoft services and use the system-assigned identity. CORS must not be enabled on the Blob service.';
  const storageDenied = () =>
    operationFailure(
      'InvalidParameters',
      "Failed to access storage account 'contosobackups': This request is not authorized to perform this operation using this permission. (403) AuthorizationPermissionMismatch",
    );
  const federationError = () =>
    entraError(
      'invalid_request',
      "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:owner/name:ref:refs/heads/main'. Assertion Audience: 'api://AzureADTokenExchange'.",
    );
  const restore: RawInputs = { operation: 'restore' };
  const secret: RawInputs = { clientSecret: CLIENT_SECRET };

  it.each([
    [
      'AADSTS700016: no such application',
      entraError(
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${CLIENT}' was not found.`,
      ),
      secret,
      `No application with client ID '${CLIENT}' exists in tenant '${TENANT}'. Check client-id and tenant-id: the app must be registered (or consented) in that directory.`,
    ],
    [
      'AADSTS7000215: a wrong client secret',
      entraError('invalid_client', 'AADSTS7000215: Invalid client secret provided.'),
      secret,
      `The client secret is wrong or has expired. Create a new secret for app '${CLIENT}' and update client-secret. Use the secret's value, not its ID.`,
    ],
    [
      'AADSTS7000222: an expired client secret',
      entraError('invalid_client', 'AADSTS7000222: The provided client secret keys are expired.'),
      secret,
      `The client secret is wrong or has expired. Create a new secret for app '${CLIENT}' and update client-secret. Use the secret's value, not its ID.`,
    ],
    [
      'AADSTS70021: no matching federated credential',
      federationError(),
      {},
      `No federated credential on app '${CLIENT}' matches this run's ID token. Add one with issuer 'https://token.actions.githubusercontent.com', subject 'repo:owner/name:ref:refs/heads/main' and audience 'api://AzureADTokenExchange' (Entra ID > App registrations > Certificates & secrets > Federated credentials).`,
    ],
    [
      'AADSTS700024: an expired ID token',
      entraError('invalid_client', 'AADSTS700024: Client assertion is not within its valid time range.'),
      {},
      'Entra ID received an expired ID token. Check the runner clock; if it keeps happening, report it with the log of this run.',
    ],
    [
      'AADSTS90002: no such tenant',
      entraError('invalid_request', `AADSTS90002: Tenant '${TENANT}' not found.`),
      {},
      `Tenant '${TENANT}' was not found. Check tenant-id (the directory ID of the subscription's tenant).`,
    ],
    [
      'endpoints_resolution_error: MSAL found no tenant',
      new Error('endpoints_resolution_error: Error: could not resolve endpoints.'),
      {},
      `Tenant '${TENANT}' was not found. Check tenant-id (the directory ID of the subscription's tenant).`,
    ],
    [
      'AADSTS700027: the certificate is not registered',
      entraError('invalid_client', 'AADSTS700027: Client assertion contains an invalid signature.'),
      {},
      `The certificate is not registered on app '${CLIENT}', or has expired. Upload its public part to the app registration.`,
    ],
    [
      'a user-assigned managed identity not on this machine',
      new Error(
        `ManagedIdentityCredential: No Managed Identity found for specified ClientId/ResourceId/PrincipalId.`,
      ),
      { auth: 'managed-identity' },
      `The user-assigned identity with client ID '${CLIENT}' is not assigned to this machine. Assign it to the VM or scale set of the runner, or check client-id (leave it empty for the system-assigned identity).`,
    ],
    [
      'no managed identity at all',
      new Error(
        'ManagedIdentityCredential: No Managed Identity found for specified ClientId/ResourceId/PrincipalId.',
      ),
      { auth: 'managed-identity', clientId: '' },
      'No managed identity is available here. Use a self-hosted runner or agent on an Azure VM, scale set or App Service with an identity, or choose another sign-in method.',
    ],
    [
      'no Azure CLI session',
      new Error(
        "AzureCliCredential: Please run 'az login' from a command prompt to authenticate before using this credential.",
      ),
      { auth: 'azure-cli' },
      'No usable Azure CLI session. Run azure/login (or az login) in an earlier step of the same job, or choose another sign-in method.',
    ],
    [
      'AuthorizationFailed: the action and scope from the message',
      new RestError(
        `The client '${CLIENT}' does not have authorization to perform action 'Microsoft.ApiManagement/service/backup/action' over scope '${AUTHORIZATION_SCOPE}' or the scope is invalid.`,
        { code: 'AuthorizationFailed', statusCode: 403 },
      ),
      {},
      `The identity you signed in as lacks permission for 'Microsoft.ApiManagement/service/backup/action'. Grant it 'API Management Service Contributor' (or a custom role with Microsoft.ApiManagement/service/backup/action and restore/action) on scope '${AUTHORIZATION_SCOPE}'. New role assignments can take a few minutes to apply.`,
    ],
    [
      'a 403 that is not about storage: the instance scope',
      new RestError('Forbidden', { statusCode: 403 }),
      {},
      `The identity you signed in as lacks permission. Grant it 'API Management Service Contributor' (or a custom role with Microsoft.ApiManagement/service/backup/action and restore/action) on scope '${SERVICE_SCOPE}'. New role assignments can take a few minutes to apply.`,
    ],
    [
      'InvalidAuthenticationTokenTenant',
      new RestError('The access token is from the wrong issuer.', {
        code: 'InvalidAuthenticationTokenTenant',
        statusCode: 401,
      }),
      {},
      "The subscription belongs to another tenant. Set tenant-id to the subscription's tenant.",
    ],
    [
      'SubscriptionNotFound',
      new RestError(`The subscription '${SUBSCRIPTION}' could not be found.`, {
        code: 'SubscriptionNotFound',
        statusCode: 404,
      }),
      {},
      `Subscription '${SUBSCRIPTION}' was not found, or the identity has no access to it. Check subscription-id.`,
    ],
    [
      'InvalidSubscriptionId',
      new RestError("The provided subscription identifier 'x' is malformed or invalid.", {
        code: 'InvalidSubscriptionId',
        statusCode: 400,
      }),
      {},
      `Subscription '${SUBSCRIPTION}' was not found, or the identity has no access to it. Check subscription-id.`,
    ],
    [
      'ResourceGroupNotFound',
      new RestError("Resource group 'rg-apim' could not be found.", {
        code: 'ResourceGroupNotFound',
        statusCode: 404,
      }),
      {},
      `Resource group 'rg-apim' does not exist in subscription '${SUBSCRIPTION}'. Check resource-group and subscription-id.`,
    ],
    [
      'ResourceNotFound',
      new RestError("The Resource 'Microsoft.ApiManagement/service/contoso-apim' was not found.", {
        code: 'ResourceNotFound',
        statusCode: 404,
      }),
      {},
      'Check service-name, resource-group and subscription-id, and that the identity can read the instance.',
    ],
    [
      'a 404 that is not about a blob',
      new RestError('Not Found', { statusCode: 404 }),
      {},
      'Check service-name, resource-group and subscription-id, and that the identity can read the instance.',
    ],
    [
      'an expired backup',
      operationFailure('InvalidParameters', 'Cannot restore: backup expired'),
      restore,
      "Backups expire 30 days after they are taken. Restore a newer backup than 'nightly.apimbackup', or take a new one.",
    ],
    [
      'a SKU mismatch',
      operationFailure(
        'InvalidParameters',
        "Cannot restore: current SKU is 'StandardV2', backup SKU is 'Standard'",
      ),
      restore,
      "A backup restores only to an instance of the same tier. Scale 'contoso-apim' from StandardV2 to Standard first, or restore a backup taken from a StandardV2 instance.",
    ],
    ['a 409', new RestError('Busy.', { statusCode: 409 }), {}, CONFLICT_HINT],
    [
      'another operation, without a 409',
      operationFailure('Failed', 'The service is in the middle of another operation.'),
      {},
      CONFLICT_HINT,
    ],
    [
      'a missing blob on restore',
      new RestError('The specified blob does not exist.', { code: 'BlobNotFound', statusCode: 404 }),
      restore,
      "Check that blob 'nightly.apimbackup' exists in container 'apim-backups' of storage account 'contosobackups' (backup-name, container).",
    ],
    [
      'storage denied, access key',
      storageDenied(),
      { storageKey: STORAGE_KEY },
      `API Management could not use storage account 'contosobackups'. Check that storage-key is a current key of storage account 'contosobackups' (keys are rotated). ${STORAGE_TAIL}`,
    ],
    [
      'storage denied, system-assigned identity',
      storageDenied(),
      {},
      `API Management could not use storage account 'contosobackups'. Enable the system-assigned identity of 'contoso-apim' and grant it 'Storage Blob Data Contributor' on storage account 'contosobackups'. ${STORAGE_TAIL}`,
    ],
    [
      'storage denied, user-assigned identity',
      storageDenied(),
      { storageAccess: 'user-assigned-identity', storageIdentityClientId: IDENTITY },
      `API Management could not use storage account 'contosobackups'. Assign identity '${IDENTITY}' to 'contoso-apim' and grant it 'Storage Blob Data Contributor' on storage account 'contosobackups'. ${STORAGE_TAIL}`,
    ],
    [
      'Azure unreachable',
      new RestError('getaddrinfo ENOTFOUND management.azure.com', { code: 'REQUEST_SEND_ERROR' }),
      {},
      "Could not reach Azure (https://management.azure.com). Check the runner's network, proxy and environment.",
    ],
  ] as [string, unknown, RawInputs, string][])('%s', (_label, error, raw, expected) => {
    expect(explain(error, contextOf(raw)).hint).toBe(expected);
  });

  it.each([
    [
      'a managed-identity message under another sign-in method',
      new Error('ManagedIdentityCredential: authentication unavailable.'),
      {},
    ],
    [
      'a missing blob on backup',
      new RestError('The specified blob does not exist.', { code: 'BlobNotFound', statusCode: 400 }),
      {},
    ],
    [
      'a code no case knows',
      new RestError('The quota is exceeded.', { code: 'QuotaExceeded', statusCode: 400 }),
      {},
    ],
  ] as [string, unknown, RawInputs][])('no hint: %s', (_label, error, raw) => {
    expect(explainError(error, contextOf(raw)).hint).toBeUndefined();
  });
});
