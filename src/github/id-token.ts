/**
 * The runner's OIDC ID token, requested as @actions/core's getIDToken does (GET ACTIONS_ID_TOKEN_REQUEST_URL
 * &audience=… with the request token, answer { value }), but through the step's network: the same proxy route and
 * the same diagnosis of an unreachable host as every other request (the toolkit's own client reads the proxy
 * variables in its own way and reports a refused CONNECT as "tunneling socket could not be established").
 */
import type { SendHttp } from '../core';

/** Gateway answers the toolkit retries too; anything else is final. */
const RETRIED = [502, 503, 504];
const ATTEMPTS = 3;

export async function requestGitHubIdToken(
  env: NodeJS.ProcessEnv,
  audience: string,
  signal: AbortSignal,
  send: SendHttp,
): Promise<string> {
  const url = `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent(audience)}`;
  const request = {
    method: 'GET' as const,
    headers: {
      Authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`,
      Accept: 'application/json',
      'User-Agent': 'actions/oidc-client',
    },
    signal,
  };
  for (let attempt = 1; ; attempt++) {
    const answer = await send(url, request);
    if (RETRIED.includes(answer.status) && attempt < ATTEMPTS) {
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
      continue;
    }
    if (answer.status !== 200) {
      throw new Error(
        `The GitHub OIDC endpoint answered HTTP ${answer.status} to the ID token request${answer.body ? `: ${answer.body.slice(0, 300)}` : ''}`,
      );
    }
    let value: unknown;
    try {
      ({ value } = JSON.parse(answer.body) as { value?: unknown });
    } catch {
      throw new Error('The GitHub OIDC endpoint answered the ID token request with a body that is not JSON');
    }
    if (typeof value !== 'string' || !value) {
      throw new Error('The GitHub OIDC endpoint answered the ID token request without a token (no "value")');
    }
    return value;
  }
}
