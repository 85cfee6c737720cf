/**
 * Reads input values from task-lib's vault without task-lib's own getters, which write every value they return
 * to the debug log unescaped (`##vso[task.debug]storageKey=…`, or a blob name carrying `##vso[` or a URL with a
 * password). Every input is read this way; the step logs what it needs itself, neutralised and redacted.
 */
import { _getVariableKey, _vault } from 'azure-pipelines-task-lib/internal';

export function readSecretInput(name: string): string | undefined {
  return _vault.retrieveSecret(`INPUT_${_getVariableKey(name)}`)?.trim() || undefined;
}

export function readSecretEndpointParameter(id: string, key: string): string | undefined {
  return _vault.retrieveSecret(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`) || undefined;
}
