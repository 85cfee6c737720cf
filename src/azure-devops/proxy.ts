/**
 * The proxy a self-hosted agent hands its tasks: Agent.ProxyUrl, Agent.ProxyUsername, Agent.ProxyPassword (a
 * secret variable) and Agent.ProxyBypassList (a JSON array of regular expressions, matched against the whole URL),
 * as task-lib's getHttpProxyConfiguration() reads them — but without task-lib, which echoes every value, the
 * password included, to the debug log (see agent-proxy-variables.ts). Without an agent proxy, HTTPS_PROXY and
 * NO_PROXY apply.
 */
import { parseProxyUrl, proxyFromEnvironment, proxySecrets, ProxySettings } from '../core';

const SOURCE = "the agent's proxy (Agent.ProxyUrl)";
const BYPASS_SOURCE = "the agent's proxy bypass list (Agent.ProxyBypassList)";

/** The agent's variables by environment name, as agent-proxy-variables.ts took them. */
type Variables = Readonly<Record<string, string | undefined>>;

/** A variable as the agent passes it: a secret one as SECRET_…, a public one under its own name. */
function readVariable(variables: Variables, name: string): string | undefined {
  const key = name.replace(/\./g, '_').toUpperCase();
  return (variables[`SECRET_${key}`] || variables[key])?.trim() || undefined;
}

export function readProxySettings(variables: Variables, maskSecret: (value: string) => void): ProxySettings {
  const url = readVariable(variables, 'Agent.ProxyUrl');
  if (!url) return proxyFromEnvironment(process.env, maskSecret);
  const password = readVariable(variables, 'Agent.ProxyPassword');
  if (password) maskSecret(password);
  for (const secret of proxySecrets(url)) maskSecret(secret);
  const username = readVariable(variables, 'Agent.ProxyUsername');

  const problems: string[] = [];
  const server = parseProxyUrl(url, SOURCE, { username, password });
  if ('problem' in server) problems.push(server.problem);
  const bypassPatterns = readBypassList(readVariable(variables, 'Agent.ProxyBypassList'), problems);
  return {
    ...('problem' in server ? {} : { https: server, http: server }),
    noProxy: [],
    bypassPatterns,
    bypassSource: BYPASS_SOURCE,
    problem: problems.length > 0 ? problems.join('; ') : undefined,
  };
}

function readBypassList(value: string | undefined, problems: string[]): string[] {
  if (!value) return [];
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string')) {
    problems.push('Agent.ProxyBypassList is not a JSON array of regular expressions');
    return [];
  }
  return list.filter((pattern) => {
    try {
      new RegExp(pattern, 'i');
      return true;
    } catch {
      problems.push(`Agent.ProxyBypassList holds '${pattern}', which is not a regular expression`);
      return false;
    }
  });
}
