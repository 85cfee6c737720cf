/**
 * Reads secret values from task-lib's vault without task-lib's own getters, which write every value they return
 * to the debug log (`##vso[task.debug]storageKey=…`). Non-secret values go through the public getters.
 */
import { _getVariableKey, _vault } from 'azure-pipelines-task-lib/internal';

export function readSecretInput(name: string): string | undefined {
  return _vault.retrieveSecret(`INPUT_${_getVariableKey(name)}`)?.trim() || undefined;
}

export function readSecretEndpointParameter(id: string, key: string): string | undefined {
  return _vault.retrieveSecret(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`) || undefined;
}
