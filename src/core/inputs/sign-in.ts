/** Chooses and checks the sign-in method from the inputs (GitHub) or the service connection (Azure DevOps). */
import type { ConfigBuilder } from './builder';
import type { SignIn, SignInMethod } from './config';
import { checkGuid, checkTenant } from './naming-rules';
import { defaultOf, GITHUB_AUTH_METHODS } from './table';

/** Sign-in methods an Azure DevOps service connection maps to (see azure-devops/service-connection.ts). */
const AZURE_DEVOPS_METHODS = ['client-secret', 'client-certificate', 'oidc', 'managed-identity'];

export function resolveSignIn(b: ConfigBuilder): { signIn: SignIn; signInReason: string } | undefined {
  const { raw, context } = b;
  if (context.platform === 'azureDevOps' && raw.auth === undefined) {
    b.report(
      `${b.name('serviceConnection')} '${raw.serviceConnection}' was not found: check the name or ID, and that this pipeline is authorised to use the connection`,
    );
    return undefined;
  }
  const requested = (raw.auth ?? defaultOf('auth')).toLowerCase();
  if (context.platform === 'azureDevOps' && !AZURE_DEVOPS_METHODS.includes(requested)) {
    b.report(
      `the service connection's scheme '${raw.auth}' is not supported: use ServicePrincipal, WorkloadIdentityFederation or ManagedServiceIdentity`,
    );
    return undefined;
  }
  if (context.platform === 'github' && !(GITHUB_AUTH_METHODS as readonly string[]).includes(requested)) {
    b.problem('auth', `must be ${GITHUB_AUTH_METHODS.join(', ')}`);
    return undefined;
  }
  const { method, reason } =
    requested === 'auto'
      ? chooseSignIn(b)
      : { method: requested as SignInMethod, reason: `${b.name('auth')} is ${requested}` };

  const check = (key: 'tenantId' | 'clientId', value: string) => {
    const issue = key === 'tenantId' ? checkTenant(value) : checkGuid(value);
    if (issue) b.problem(key, issue);
    return value;
  };
  const need = (key: 'tenantId' | 'clientId', why: string): string => {
    const value = raw[key];
    if (!value) {
      b.report(`${b.name(key)} is required ${why}`);
      return '';
    }
    return check(key, value);
  };
  const optional = (key: 'tenantId' | 'clientId') => (raw[key] ? check(key, raw[key]) : undefined);
  const done = (signIn: SignIn) => ({ signIn, signInReason: reason });

  // A secret given beside another method would be silently unused: say so instead.
  if (raw.clientSecret && method !== 'client-secret' && context.platform === 'github') {
    b.report(
      `${b.name('clientSecret')} is given, but ${b.name('auth')} is ${method}, which does not use it: remove it, or set ${b.name('auth')} to client-secret`,
    );
  }

  switch (method) {
    case 'client-secret': {
      const why = 'to sign in with a client secret';
      const tenantId = need('tenantId', why);
      const clientId = need('clientId', why);
      if (!raw.clientSecret) b.report(`${b.name('clientSecret')} is required ${why}`);
      return done({ method, tenantId, clientId, clientSecret: raw.clientSecret ?? '' });
    }
    case 'client-certificate': {
      const why = 'to sign in with a certificate';
      const tenantId = need('tenantId', why);
      const clientId = need('clientId', why);
      if (!raw.clientCertificate?.includes('PRIVATE KEY')) {
        b.report(`the service connection's certificate is missing or has no private key`);
      }
      return done({ method, tenantId, clientId, certificatePem: raw.clientCertificate ?? '' });
    }
    case 'oidc': {
      const why = 'to sign in with OIDC (workload identity federation)';
      const tenantId = need('tenantId', why);
      const clientId = need('clientId', why);
      if (!context.idTokenAvailable) {
        b.report(
          context.platform === 'github'
            ? 'OIDC sign-in needs an ID token, but the runner offers none: add `permissions: id-token: write` to the workflow or job (or give client-secret)'
            : 'OIDC sign-in needs the pipeline OIDC endpoint (SYSTEM_OIDCREQUESTURI) and System.AccessToken, which this agent does not provide',
        );
      }
      return done({ method, tenantId, clientId, audience: raw.audience ?? defaultOf('audience') });
    }
    case 'managed-identity':
      return done({ method, clientId: optional('clientId') });
    case 'azure-cli':
      return done({ method, tenantId: optional('tenantId') });
  }
  return undefined;
}

/** `auth: auto`: the first method the user has given everything for, in the order the README documents. */
function chooseSignIn({ raw, context }: ConfigBuilder): { method: SignInMethod; reason: string } {
  if (raw.clientSecret) return { method: 'client-secret', reason: 'a client secret was given' };
  if (raw.clientId && context.idTokenAvailable) {
    return { method: 'oidc', reason: 'a client ID was given and the runner offers an ID token' };
  }
  if (context.azureCliSignedIn) {
    return {
      method: 'azure-cli',
      reason: 'no client secret or ID token, and an Azure CLI session exists (azure/login)',
    };
  }
  if (raw.clientId && raw.tenantId && !context.idTokenAvailable && context.platform === 'github') {
    // A tenant and client without a secret is an OIDC setup missing its permission: say so instead of trying
    // managed identity, which would fail with a less useful message.
    return { method: 'oidc', reason: 'tenant-id and client-id were given without a client secret' };
  }
  return {
    method: 'managed-identity',
    reason: 'no client secret, ID token or Azure CLI session: using the managed identity of the machine',
  };
}
