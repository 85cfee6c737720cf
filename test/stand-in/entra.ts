/**
 * Entra ID's v2.0 endpoints for a custom authority (MSAL with disableInstanceDiscovery): OpenID configuration,
 * keys, and the client-credentials token endpoint with secret, certificate and federated sign-in. Errors carry
 * the AADSTS codes and wording Entra uses, so products can be tested on the messages users will see.
 */
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { json, RecordedRequest, Reply } from './http';
import { IdTokenIssuer, TOKEN_EXCHANGE_AUDIENCE } from './id-tokens';
import { decodeJwt, DecodedJwt, verifyJwt } from './jwt';
import { entraTime, TokenRegistry } from './tokens';

export interface FederatedCredential {
  issuer: string;
  subject: string;
  /** Defaults to api://AzureADTokenExchange, as in the portal. */
  audience?: string;
}

export interface AppRegistration {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** Public certificate (PEM) for certificate sign-in. */
  certificatePem?: string;
  federatedCredentials?: FederatedCredential[];
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

class EntraError {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly text: string,
  ) {}
}

export class Entra {
  private readonly apps = new Map<string, AppRegistration>();
  private readonly tenants = new Set<string>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly tokens: TokenRegistry,
    private readonly idTokens: IdTokenIssuer,
    private readonly accessTokenLifetimeSeconds: number,
  ) {}

  addApp(app: AppRegistration): void {
    this.tenants.add(app.tenantId.toLowerCase());
    this.apps.set(`${app.tenantId}/${app.clientId}`.toLowerCase(), app);
  }

  route(request: RecordedRequest): Reply | undefined {
    const match =
      /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/.exec(
        request.path,
      );
    if (!match) return undefined;
    const [, tenant, endpoint] = match;
    const correlationId = request.headers['client-request-id'] ?? randomUUID();
    try {
      if (!this.tenants.has(tenant.toLowerCase())) {
        throw new EntraError(
          400,
          'invalid_tenant',
          90002,
          `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
        );
      }
      if (endpoint.startsWith('v2.0'))
        return json(200, this.openIdConfiguration(this.originOf(request), tenant));
      if (endpoint.startsWith('discovery')) return json(200, this.idTokens.jwks());
      if (request.method !== 'POST') {
        throw new EntraError(400, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
      }
      return this.token(this.originOf(request), tenant, new URLSearchParams(request.body));
    } catch (error) {
      if (error instanceof EntraError) return this.errorReply(error, correlationId);
      throw error;
    }
  }

  /** The authority as the client named it. */
  private originOf(request: RecordedRequest): string {
    return request.origin ?? this.baseUrl();
  }

  private openIdConfiguration(origin: string, tenant: string) {
    const base = `${origin}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
    };
  }

  private token(origin: string, tenant: string, form: URLSearchParams): Reply {
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') {
      throw new EntraError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grantType}'.`,
      );
    }
    const clientId = form.get('client_id');
    if (!clientId) {
      throw new EntraError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    }
    const app = this.apps.get(`${tenant}/${clientId}`.toLowerCase());
    if (!app) {
      throw new EntraError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    this.authenticate(app, form, `${origin}/${tenant}/oauth2/v2.0/token`);
    const resource = resourceOf(form.get('scope'));
    const lifetime = this.accessTokenLifetimeSeconds;
    const issued = this.tokens.issueAccessToken(app.clientId, app.tenantId, resource, lifetime);
    return json(200, {
      token_type: 'Bearer',
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: issued.token,
    });
  }

  private authenticate(app: AppRegistration, form: URLSearchParams, tokenEndpoint: string): void {
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (secret === app.clientSecret) return;
      throw new EntraError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      );
    }
    if (assertion === null) {
      throw new EntraError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      throw new EntraError(
        400,
        'invalid_request',
        90014,
        "The required field 'client_assertion_type' is missing from the credential.",
      );
    }
    const jwt = decodeJwt(assertion);
    if (!jwt) throw new EntraError(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
    // A self-issued assertion (iss = the app) is signed with the app's certificate; anything else is federated.
    if (jwt.claims.iss === app.clientId) this.checkCertificateAssertion(app, jwt, tokenEndpoint);
    else this.checkFederatedAssertion(app, jwt);
  }

  private checkCertificateAssertion(app: AppRegistration, jwt: DecodedJwt, tokenEndpoint: string): void {
    const sha256 = jwt.header['x5t#S256'];
    const sha1 = jwt.header.x5t;
    const certificate = app.certificatePem ? new X509Certificate(app.certificatePem) : undefined;
    const thumbprint = (algorithm: string) =>
      certificate ? createHash(algorithm).update(certificate.raw).digest('base64url') : undefined;
    const matches =
      sha256 !== undefined
        ? sha256 === thumbprint('sha256')
        : sha1 !== undefined && sha1 === thumbprint('sha1');
    if (!certificate || !matches) {
      const presented = Buffer.from(String(sha256 ?? sha1 ?? ''), 'base64url')
        .toString('hex')
        .toUpperCase();
      throw new EntraError(
        401,
        'invalid_client',
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${presented}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`,
      );
    }
    if (!verifyJwt(jwt, certificate.publicKey)) {
      throw new EntraError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    }
    if (jwt.claims.sub !== app.clientId || !audiences(jwt).includes(tokenEndpoint)) {
      throw new EntraError(
        401,
        'invalid_client',
        50027,
        `JWT token is invalid or malformed. [Reason - the assertion must have sub '${app.clientId}' and aud '${tokenEndpoint}'.]`,
      );
    }
    checkTimes(jwt);
  }

  private checkFederatedAssertion(app: AppRegistration, jwt: DecodedJwt): void {
    if (jwt.header.kid !== this.idTokens.keyId || !verifyJwt(jwt, this.idTokens.publicKey)) {
      throw new EntraError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    }
    checkTimes(jwt);
    const { iss, sub } = jwt.claims;
    const aud = audiences(jwt);
    const matched = (app.federatedCredentials ?? []).some(
      (credential) =>
        credential.issuer === iss &&
        credential.subject === sub &&
        aud.includes(credential.audience ?? TOKEN_EXCHANGE_AUDIENCE),
    );
    if (!matched) {
      throw new EntraError(
        400,
        'invalid_request',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${String(iss)}'. Assertion Subject: '${String(sub)}'. Assertion Audience: '${aud.join(',')}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
      );
    }
  }

  private errorReply(error: EntraError, correlationId: string): Reply {
    const traceId = randomUUID();
    const timestamp = new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    return json(error.status, {
      error: error.error,
      error_description: `AADSTS${error.code}: ${error.text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [error.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${this.baseUrl()}/error?code=${error.code}`,
    });
  }
}

/** Client credentials take exactly one '{resource}/.default' scope (OIDC scopes aside). */
function resourceOf(scope: string | null): string {
  if (!scope) throw new EntraError(400, 'invalid_request', 90014, "The required field 'scope' is missing.");
  const scopes = scope.split(' ').filter((value) => value && !OIDC_SCOPES.has(value));
  if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) {
    throw new EntraError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  return scopes[0].slice(0, -'/.default'.length);
}

function audiences(jwt: DecodedJwt): string[] {
  const aud = jwt.claims.aud;
  return (Array.isArray(aud) ? aud : [aud]).filter((value): value is string => typeof value === 'string');
}

// MSAL rounds its clock to the nearest second, so nbf may lie up to 0.5 s ahead: allow Entra's 5-minute skew there.
// Expiry is strict (Entra allows skew there too), so a test can expire an ID token in a second or two.
const NOT_BEFORE_SKEW_MS = 5 * 60_000;

function checkTimes(jwt: DecodedJwt): void {
  const now = Date.now();
  const nbf = Number(jwt.claims.nbf ?? jwt.claims.iat ?? 0) * 1000;
  const exp = Number(jwt.claims.exp) * 1000;
  if (!(exp > now) || nbf > now + NOT_BEFORE_SKEW_MS) {
    throw new EntraError(
      401,
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${entraTime(now)}, assertion valid from ${entraTime(nbf)}, expiry time of assertion ${entraTime(Number.isNaN(exp) ? 0 : exp)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
    );
  }
}
