/**
 * The OIDC side of the pipelines: the GitHub Actions ID-token endpoint and the Azure DevOps service-connection
 * token endpoint. Both hand out RS256 JWTs signed by one stand-in key, which the Entra stand-in trusts.
 */
import { generateKeyPairSync, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { bearerToken, json, RecordedRequest, Reply } from './http';
import { signJwt } from './jwt';
import { TokenRegistry } from './tokens';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const AZURE_DEVOPS_ISSUER = 'https://vstoken.dev.azure.com/00000000-0000-0000-0000-0000000000aa';
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface IdTokenRequest {
  iss: string;
  sub: string;
  aud: string | string[];
  /** Seconds; defaults to the stand-in's idTokenLifetimeSeconds. Negative makes an already expired token. */
  lifetimeSeconds?: number;
  /** Epoch seconds; defaults to now. */
  issuedAt?: number;
  claims?: Record<string, unknown>;
}

export interface GitHubOidc {
  requestUrl: string;
  requestToken: string;
  subject: string;
}

export interface AzureDevOpsOidc {
  oidcRequestUri: string;
  systemAccessToken: string;
  subject: string;
}

export class IdTokenIssuer {
  readonly keyId = randomBytes(8).toString('hex');
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor(
    private readonly tokens: TokenRegistry,
    private readonly lifetimeSeconds: number,
  ) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
    }));
  }

  /** Signs an ID token; `counted` false keeps it out of `issued.idTokens` (tokens a test mints itself). */
  mint(request: IdTokenRequest, counted = true): string {
    const iat = request.issuedAt ?? Math.floor(Date.now() / 1000);
    const exp = iat + (request.lifetimeSeconds ?? this.lifetimeSeconds);
    const claims = {
      jti: randomUUID(),
      ...request.claims,
      iss: request.iss,
      sub: request.sub,
      aud: request.aud,
    };
    const token = signJwt({ ...claims, iat, nbf: iat, exp }, this.privateKey, { kid: this.keyId });
    this.tokens.noteIdToken(token, counted);
    return token;
  }

  jwks(): { keys: Record<string, unknown>[] } {
    return {
      keys: [{ ...this.publicKey.export({ format: 'jwk' }), kid: this.keyId, use: 'sig', alg: 'RS256' }],
    };
  }
}

/** GET {requestUrl}&audience=… with the runner's request token, answering { value } like the Actions service. */
export function githubRoute(issuer: IdTokenIssuer, github: GitHubOidc) {
  return (request: RecordedRequest): Reply | undefined => {
    if (request.path !== '/github/idtoken') return undefined;
    if (request.method !== 'GET') return json(405, { message: 'Method not allowed' });
    if (bearerToken(request) !== github.requestToken) {
      return json(401, { message: 'Bad credentials: the ID token request token is missing or invalid.' });
    }
    // Without an audience GitHub uses the repository owner's URL, which Entra does not accept: clients must ask.
    const owner = /^repo:([^/]+)\//.exec(github.subject)?.[1] ?? 'contoso';
    const repository = /^repo:([^:]+)/.exec(github.subject)?.[1] ?? `${owner}/repository`;
    const value = issuer.mint({
      iss: GITHUB_ISSUER,
      sub: github.subject,
      aud: request.query.audience || `https://github.com/${owner}`,
      claims: {
        repository,
        repository_owner: owner,
        ref: /:ref:(.+)$/.exec(github.subject)?.[1] ?? 'refs/heads/main',
        run_id: '4242',
        event_name: 'push',
      },
    });
    return json(200, { count: 1, value });
  };
}

/** POST {oidcRequestUri}?api-version=7.1&serviceConnectionId=… with System.AccessToken, answering { oidcToken }. */
export function azureDevOpsRoute(issuer: IdTokenIssuer, azureDevOps: AzureDevOpsOidc) {
  return (request: RecordedRequest): Reply | undefined => {
    if (request.path !== '/ado/oidctoken') return undefined;
    if (request.method !== 'POST')
      return json(405, adoError('The requested resource does not support http method.'));
    if (bearerToken(request) !== azureDevOps.systemAccessToken) {
      return json(
        401,
        adoError(
          "TF400813: The user '' is not authorized to access this resource.",
          'UnauthorizedRequestException',
        ),
      );
    }
    if (!request.query.serviceConnectionId) {
      return json(
        400,
        adoError('The serviceConnectionId query parameter is required.', 'ArgumentNullException'),
      );
    }
    const oidcToken = issuer.mint({
      iss: AZURE_DEVOPS_ISSUER,
      sub: azureDevOps.subject,
      aud: TOKEN_EXCHANGE_AUDIENCE,
    });
    return json(200, { oidcToken });
  };
}

function adoError(message: string, typeKey = 'InvalidOperationException') {
  return {
    $id: '1',
    innerException: null,
    message,
    typeName: `System.${typeKey}`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  };
}
