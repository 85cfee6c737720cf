/** Access tokens the stand-in issued: opaque random strings, remembered so ARM can tell who calls and until when. */
import { createHash, randomBytes } from 'node:crypto';

export interface AccessTokenRecord {
  token: string;
  /** Client id of the app or managed identity. */
  principal: string;
  tenantId: string;
  /** The resource the token is for: the scope without '/.default', or the managed-identity `resource`. */
  resource: string;
  expiresAt: number;
}

export class TokenRegistry {
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
    const record = {
      token: `stand-in.${randomBytes(24).toString('base64url')}`,
      principal,
      tenantId,
      resource,
      expiresAt: Date.now() + lifetimeSeconds * 1000,
    };
    this.accessTokens.set(record.token, record);
    this.all.push(record.token);
    this.issued.accessTokens += 1;
    return record;
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
