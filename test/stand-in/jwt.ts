/** Just enough JWS (RS256 and PS256, compact form) to mint ID tokens and check client assertions, on node:crypto. */
import { constants, KeyObject, sign, verify } from 'node:crypto';

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

// MSAL signs certificate assertions with PS256 when given a SHA-256 thumbprint (as @azure/identity 4.13 does).
function padding(alg: unknown) {
  if (alg === 'RS256') return { padding: constants.RSA_PKCS1_PADDING };
  if (alg === 'PS256')
    return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  return undefined;
}

export function signJwt(
  claims: Record<string, unknown>,
  privateKey: KeyObject,
  header: Record<string, unknown> = {},
): string {
  const fullHeader = { typ: 'JWT', alg: 'RS256', ...header };
  const signingInput = `${encode(fullHeader)}.${encode(claims)}`;
  const options = padding(fullHeader.alg);
  if (!options) throw new Error(`Unsupported JWT algorithm ${String(fullHeader.alg)}`);
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, ...options });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Parses a compact JWT without checking it; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(claims)) return undefined;
    return {
      header,
      claims,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], 'base64url'),
    };
  } catch {
    return undefined;
  }
}

export function verifyJwt(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  const options = padding(jwt.header.alg);
  if (!options) return false;
  try {
    return verify('sha256', Buffer.from(jwt.signingInput), { key: publicKey, ...options }, jwt.signature);
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
