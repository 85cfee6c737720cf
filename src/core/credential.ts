/** Builds the @azure/identity credential for the chosen sign-in method; every token it yields is masked. */
import { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  AzureCliCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { Cloud } from './clouds';
import { SignIn } from './config';
import { IdTokenCache } from './id-token';
import { SecretRegistry } from './secrets';

export function createCredential(
  signIn: SignIn,
  cloud: Cloud,
  secrets: SecretRegistry,
  idTokens?: IdTokenCache,
): TokenCredential {
  const options = { authorityHost: cloud.authorityHost, disableInstanceDiscovery: cloud.customAuthority };
  let credential: TokenCredential;
  switch (signIn.method) {
    case 'client-secret':
      credential = new ClientSecretCredential(signIn.tenantId, signIn.clientId, signIn.clientSecret, options);
      break;
    case 'client-certificate':
      credential = new ClientCertificateCredential(
        signIn.tenantId,
        signIn.clientId,
        { certificate: signIn.certificatePem },
        options,
      );
      break;
    case 'oidc':
      if (!idTokens) throw new Error('OIDC sign-in needs an ID token source');
      credential = new ClientAssertionCredential(
        signIn.tenantId,
        signIn.clientId,
        () => idTokens.get(),
        options,
      );
      break;
    case 'managed-identity':
      credential = signIn.clientId
        ? new ManagedIdentityCredential({ clientId: signIn.clientId })
        : new ManagedIdentityCredential();
      break;
    case 'azure-cli':
      credential = new AzureCliCredential({ tenantId: signIn.tenantId });
      break;
  }
  return maskTokens(credential, secrets);
}

function maskTokens(credential: TokenCredential, secrets: SecretRegistry): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const token = await credential.getToken(scopes, options);
      secrets.add(token?.token);
      return token;
    },
  };
}
