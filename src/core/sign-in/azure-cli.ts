/** Detects an Azure CLI session, such as the one an earlier azure/login step leaves, without running `az`. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function hasAzureCliSession(env: NodeJS.ProcessEnv): boolean {
  const profile = join(env.AZURE_CONFIG_DIR || join(homedir(), '.azure'), 'azureProfile.json');
  if (!existsSync(profile)) return false;
  try {
    // The CLI writes this file with a BOM.
    const parsed = JSON.parse(readFileSync(profile, 'utf8').replace(/^\uFEFF/, '')) as {
      subscriptions?: unknown[];
    };
    return Array.isArray(parsed.subscriptions) && parsed.subscriptions.length > 0;
  } catch {
    return false;
  }
}
