/**
 * Imported by main.ts before task-lib: task-lib, as it loads, reads the agent's proxy variables and echoes each to
 * the debug log, the proxy password included (`##vso[task.debug]Agent.ProxyPassword=…`), leaving it to the agent's
 * masking. They are taken out of the environment here, before it can; proxy.ts reads them from this record. (Only
 * task-lib's own tool runners used them, and this task runs none.)
 */
const NAMES = [
  'AGENT_PROXYURL',
  'AGENT_PROXYUSERNAME',
  'AGENT_PROXYPASSWORD',
  'SECRET_AGENT_PROXYPASSWORD',
  'AGENT_PROXYBYPASSLIST',
];

export const agentProxyVariables: Readonly<Record<string, string | undefined>> = Object.fromEntries(
  NAMES.map((name) => {
    const value = process.env[name];
    delete process.env[name];
    return [name, value];
  }),
);
