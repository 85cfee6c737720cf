/** Endpoints of the Azure clouds a user can name with the `environment` input. */

export interface Cloud {
  name: string;
  resourceManagerEndpoint: string;
  authorityHost: string;
  /** Blob endpoints are https://{account}.blob.{storageSuffix}. */
  storageSuffix: string;
  /** True when the authority is not a known Entra host: MSAL must then skip instance discovery. */
  customAuthority: boolean;
}

export const CLOUDS: Record<string, Omit<Cloud, 'customAuthority'>> = {
  AzureCloud: {
    name: 'AzureCloud',
    resourceManagerEndpoint: 'https://management.azure.com',
    authorityHost: 'https://login.microsoftonline.com',
    storageSuffix: 'core.windows.net',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    resourceManagerEndpoint: 'https://management.usgovcloudapi.net',
    authorityHost: 'https://login.microsoftonline.us',
    storageSuffix: 'core.usgovcloudapi.net',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    storageSuffix: 'core.chinacloudapi.cn',
  },
};

/** The token scope of Resource Manager calls: the one the API Management client asks for, and fetched ahead of it. */
export function resourceManagerScope(cloud: Pick<Cloud, 'resourceManagerEndpoint'>): string {
  return `${cloud.resourceManagerEndpoint}/.default`;
}

/** Finds a cloud by name, case-insensitively. */
export function findCloud(name: string): Omit<Cloud, 'customAuthority'> | undefined {
  return Object.values(CLOUDS).find((cloud) => cloud.name.toLowerCase() === name.toLowerCase());
}

export function isKnownAuthority(url: string): boolean {
  const host = safeHost(url);
  return (
    Object.values(CLOUDS).some((cloud) => safeHost(cloud.authorityHost) === host) ||
    host === 'login.windows.net' ||
    host === 'login.microsoft.com'
  );
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}
