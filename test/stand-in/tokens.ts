/**
 * Access tokens the stand-in issued, remembered so ARM can tell who calls and until when: opaque random strings,
 * except for Azure Storage, whose tokens are JWTs as Entra issues them (v1, iss https://sts.windows.net/{tenant}/,
 * aud https://storage.azure.com) because Azurite's `--oauth basic` reads them: it decodes the JWT (no signature
 * check), needs iat, nbf and exp with nbf <= now <= exp, an iss starting with https://sts.windows.net/ (or another
 * cloud's sts), and an aud of https://storage.azure.com[/], e406a681-f3d4-42a8-90b6-c2b029497af1 or
 * https://{account}.blob.core.windows.net[/] naming the account called (BlobTokenAuthenticator, azurite 3.35).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export interface AccessTokenRecord {
  token: string;
  /** Client id of the app or managed identity. */
  principal: string;
  tenantId: string;
  /** The resource the token is for: the scope without '/.default', or the managed-identity `resource`. */
  resource: string;
  expiresAt: number;
}

/** The resources whose tokens Azure Storage takes: the storage scope, or one account's blob endpoint. */
export function isStorageResource(resource: string): boolean {
  return (
    /^https:\/\/storage\.azure\.com\/?$/i.test(resource) ||
    /^https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\/?$/i.test(resource)
  );
}

/** Entra puts iat and nbf five minutes before the moment it issues a token. */
const ENTRA_BACKDATE_SECONDS = 300;

export class TokenRegistry {
  /** Signs storage JWTs (the stand-in uses its OIDC key, so jwks verifies them); unset: signature 'unsigned'. */
  signJwt?: (claims: Record<string, unknown>) => string;
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  /** Every access and ID token handed out, in order, for secret-leak scans. */
  readonly all: string[] = [];
  readonly issued = { accessTokens: 0, idTokens: 0 };

  issueAccessToken(
    principal: string,
    tenantId: string,
    resource: string,
    lifetimeSeconds: number,
  ): AccessTokenRecord {
    const expiresAt = Date.now() + lifetimeSeconds * 1000;
    const token = isStorageResource(resource)
      ? this.storageJwt(principal, tenantId, resource, expiresAt)
      : `stand-in.${randomBytes(24).toString('base64url')}`;
    const record = { token, principal, tenantId, resource, expiresAt };
    this.accessTokens.set(record.token, record);
    this.all.push(record.token);
    this.issued.accessTokens += 1;
    return record;
  }

  private storageJwt(principal: string, tenantId: string, resource: string, expiresAt: number): string {
    const now = Math.floor(Date.now() / 1000);
    const issuer = `https://sts.windows.net/${tenantId}/`;
    const objectId = objectIdOf(principal);
    const claims = {
      aud: resource.replace(/\/+$/, ''),
      iss: issuer,
      iat: now - ENTRA_BACKDATE_SECONDS,
      nbf: now - ENTRA_BACKDATE_SECONDS,
      exp: Math.floor(expiresAt / 1000),
      appid: principal,
      appidacr: '1',
      idp: issuer,
      oid: objectId,
      sub: objectId,
      tid: tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
      xms_tcdt: now,
      rh: randomUUID(),
    };
    if (this.signJwt) return this.signJwt(claims);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${encode({ typ: 'JWT', alg: 'RS256' })}.${encode(claims)}.unsigned`;
  }

  lookup(token: string): AccessTokenRecord | undefined {
    return this.accessTokens.get(token);
  }

  /** ID tokens are JWTs; remembered only as secrets. `counted`: false for tokens a test minted itself. */
  noteIdToken(token: string, counted = true): void {
    this.all.push(token);
    if (counted) this.issued.idTokens += 1;
  }
}

/** A stable GUID-shaped object id for a principal, as ARM error messages name one. */
export function objectIdOf(principal: string): string {
  const hex = createHash('sha1').update(`object-id:${principal}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Entra and ARM both quote times like 2024-05-10T15:36:43.0363479Z (seven fraction digits). */
export function entraTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}
