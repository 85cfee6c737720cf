/** The one definition of every output and its name on each platform; the manifests are checked against it. */
import type { OutputName } from './ports';

export interface OutputDefinition {
  key: OutputName;
  github: string;
  azureDevOps: string;
  description: string;
}

export const OUTPUTS: readonly OutputDefinition[] = [
  {
    key: 'backupName',
    github: 'backup-name',
    azureDevOps: 'backupName',
    description: 'The resolved blob name.',
  },
  {
    key: 'backupUrl',
    github: 'backup-url',
    azureDevOps: 'backupUrl',
    description: 'URL of the backup blob, in the storage domain of the chosen cloud.',
  },
  {
    key: 'durationSeconds',
    github: 'duration-seconds',
    azureDevOps: 'durationSeconds',
    description: 'How long the operation took, in whole seconds.',
  },
  {
    key: 'operationUrl',
    github: 'operation-url',
    azureDevOps: 'operationUrl',
    description:
      'The Azure Resource Manager operation-status URL; set as soon as the operation starts, also on timeout.',
  },
];

export function outputName(key: OutputName, platform: 'github' | 'azureDevOps'): string {
  return OUTPUTS.find((output) => output.key === key)![platform];
}
