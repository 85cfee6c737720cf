/**
 * A stand-in `az` for the Azure CLI sign-in path: a config folder as `azure/login` leaves it (azureProfile.json)
 * and an `az` on PATH that answers `az account get-access-token` the way the real CLI does, with a token it gets
 * from the stand-in's Entra endpoint for the logged-in service principal. Every call is appended to calls.log.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface AzureCliLogin {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
}

export interface StandInAzureCli {
  /** Put this first on PATH. */
  binDir: string;
  /** AZURE_CONFIG_DIR. */
  configDir: string;
  /** The argument lists `az` was called with. */
  calls(): string[][];
}

// Runs under the same Node as the tests; trusts the stand-in through the inherited NODE_EXTRA_CA_CERTS.
const AZ_SCRIPT = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const configDir = process.env.AZURE_CONFIG_DIR;
const args = process.argv.slice(2);
fs.appendFileSync(path.join(configDir, 'calls.log'), JSON.stringify(args) + '\\n');
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
if (args[0] !== 'account' || args[1] !== 'get-access-token') {
  process.stderr.write('ERROR: the stand-in az only answers account get-access-token\\n');
  process.exit(2);
}
const loginFile = path.join(configDir, 'stand-in-login.json');
if (!fs.existsSync(loginFile)) {
  process.stderr.write("ERROR: Please run 'az login' to setup account.\\n");
  process.exit(1);
}
const login = JSON.parse(fs.readFileSync(loginFile, 'utf8'));
const tenant = option('--tenant') || login.tenantId;
const resource = option('--resource');
const body = new URLSearchParams({
  grant_type: 'client_credentials',
  client_id: login.clientId,
  client_secret: login.clientSecret,
  scope: resource.replace(/\\/$/, '') + '/.default',
});
fetch(login.authorityHost + '/' + tenant + '/oauth2/v2.0/token', { method: 'POST', body })
  .then(async (response) => {
    const answer = await response.json();
    if (!response.ok) {
      process.stderr.write('ERROR: ' + answer.error_description + '\\n');
      process.exit(1);
    }
    const expiresOn = Math.floor(Date.now() / 1000) + answer.expires_in;
    process.stdout.write(JSON.stringify({
      accessToken: answer.access_token,
      expiresOn: new Date(expiresOn * 1000).toISOString().replace('T', ' ').replace('Z', '000'),
      expires_on: expiresOn,
      subscription: login.subscriptionId,
      tenant,
      tokenType: 'Bearer',
    }, null, 2) + '\\n');
  })
  .catch((error) => {
    process.stderr.write('ERROR: ' + error.message + '\\n');
    process.exit(1);
  });
`;

/** Creates the folders in `dir`; with `login`, as after `azure/login`, without it as on a machine never signed in. */
export function createStandInAzureCli(dir: string, login?: AzureCliLogin): StandInAzureCli {
  const binDir = join(dir, 'bin');
  const configDir = join(dir, 'azure-config');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(binDir, 'az'), AZ_SCRIPT);
  chmodSync(join(binDir, 'az'), 0o755);
  if (login) {
    writeFileSync(join(configDir, 'stand-in-login.json'), JSON.stringify(login));
    // The real CLI writes azureProfile.json with a BOM.
    const profile = {
      installationId: '00000000-0000-4000-8000-000000000001',
      subscriptions: [
        {
          id: login.subscriptionId,
          name: 'Platform',
          state: 'Enabled',
          tenantId: login.tenantId,
          isDefault: true,
          user: { name: login.clientId, type: 'servicePrincipal' },
          environmentName: 'AzureCloud',
        },
      ],
    };
    writeFileSync(join(configDir, 'azureProfile.json'), '\uFEFF' + JSON.stringify(profile));
  }
  const callsFile = join(configDir, 'calls.log');
  return {
    binDir,
    configDir,
    calls: () =>
      existsSync(callsFile)
        ? readFileSync(callsFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as string[])
        : [],
  };
}
