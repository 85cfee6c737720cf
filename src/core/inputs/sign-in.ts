/**
 * Chooses and checks the sign-in method from the step's inputs or from its service connection, wherever the
 * platform profile says the sign-in comes from.
 */
import type { ConfigBuilder } from './builder';
import type { SignIn, SignInMethod } from './config';
import { checkGuid, checkTenant } from './naming-rules';
import { defaultOf } from './table';

export function resolveSignIn(b: ConfigBuilder): { signIn: SignIn; signInReason: string } | undefined {
  const { raw, context } = b;
  const source = context.profile.signIn;
  const requested = requestedMethod(b);
  if (requested === undefined) return undefined;
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
  if (raw.clientSecret && method !== 'client-secret' && source.from === 'inputs') {
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
        b.report(source.noIdToken);
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

/**
 * The method asked for: the auth input, or the method the adapter mapped the connection's scheme to; undefined
 * once a problem is reported.
 */
function requestedMethod(b: ConfigBuilder): string | undefined {
  const { raw, context } = b;
  const source = context.profile.signIn;
  if (source.from === 'inputs') {
    const requested = (raw.auth ?? defaultOf('auth')).toLowerCase();
    if (source.methods.includes(requested)) return requested;
    b.problem('auth', `must be ${source.methods.join(', ')}`);
    return undefined;
  }
  const { connection } = context;
  // The step names a connection (requireSignIn, parse.ts, asks for one otherwise): the adapter must have read it.
  if (!connection) throw new Error(`The adapter read no service connection for '${raw.serviceConnection}'`);
  if (!connection.found) {
    b.report(source.notFound(connection.name));
    return undefined;
  }
  if (!connection.method) {
    b.report(source.unsupportedScheme(connection.scheme));
    return undefined;
  }
  return connection.method;
}

/**
 * `auth: auto` (inputs only: a connection's scheme names its method): the first method the user has given
 * everything for, in the order the README documents.
 */
function chooseSignIn(b: ConfigBuilder): { method: SignInMethod; reason: string } {
  const { raw, context } = b;
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
  if (raw.clientId && raw.tenantId && !context.idTokenAvailable) {
    // A tenant and client without a secret is an OIDC setup missing its permission: say so instead of trying
    // managed identity, which would fail with a less useful message.
    return {
      method: 'oidc',
      reason: `${b.name('tenantId')} and ${b.name('clientId')} were given without a client secret`,
    };
  }
  return {
    method: 'managed-identity',
    reason: 'no client secret, ID token or Azure CLI session: using the managed identity of the machine',
  };
}
