/**
 * checkOperationUrl normalises the operation-status URLs Azure has been recorded handing out (two slashes before
 * operationresults, base64 ids with `=` and `+`, and those characters escaped by whoever passed the URL on) into
 * the request Azure expects, and refuses everything it refused before.
 */
import { checkOperationUrl, sameInstance } from '../../src/core/inputs/operation-url';

const ARM = 'https://management.azure.com';
const SERVICE =
  '/subscriptions/bab08e11-7b12-4354-9fd1-4b5d64d40b68/resourceGroups/sdktestrg258/providers/Microsoft.ApiManagement/service/sdktestapim4219';
/** base64 of 'westcentralus:sdktestapim4219_Restore_5110e36c', as Azure/azure-sdk-for-net's 2021 recording has it. */
const PADDED_ID = 'd2VzdGNlbnRyYWx1czpzZGt0ZXN0YXBpbTQyMTlfUmVzdG9yZV81MTEwZTM2Yw==';
const QUERY = '?api-version=2020-12-01';
const CANONICAL = `${ARM}${SERVICE}/operationresults/${PADDED_ID}${QUERY}`;
const INSTANCE = {
  subscriptionId: 'bab08e11-7b12-4354-9fd1-4b5d64d40b68',
  resourceGroup: 'sdktestrg258',
  serviceName: 'sdktestapim4219',
};

function accepted(value: string): string {
  const checked = checkOperationUrl(value, ARM);
  if (!checked.ok) throw new Error(`refused: ${checked.problem}`);
  expect(checked.instance).toEqual(INSTANCE);
  return checked.url;
}

describe('checkOperationUrl normalises what Azure hands out', () => {
  it('keeps the canonical form as it is', () => {
    expect(accepted(CANONICAL)).toBe(CANONICAL);
  });

  it('collapses the two slashes of the first Location Azure gave in 2019 and 2021', () => {
    expect(accepted(`${ARM}${SERVICE}//operationresults/${PADDED_ID}${QUERY}`)).toBe(CANONICAL);
    expect(accepted(`${ARM}/${SERVICE}///operationresults/${PADDED_ID}${QUERY}`)).toBe(CANONICAL);
  });

  it('keeps the = padding and a + of the base64 id literal, as Azure writes them', () => {
    expect(accepted(`${ARM}${SERVICE}/operationresults/ab+cd+ef==${QUERY}`)).toBe(
      `${ARM}${SERVICE}/operationresults/ab+cd+ef==${QUERY}`,
    );
  });

  it.each([
    ['%3D%3D', '=='],
    ['%3d%3d', '=='],
    ['%2B', '+'],
    ['%2b', '+'],
  ])('puts an escaped id character back: %s → %s', (escaped, literal) => {
    const id = `d2Vz${escaped}`;
    expect(accepted(`${ARM}${SERVICE}//operationresults/${id}${QUERY}`)).toBe(
      `${ARM}${SERVICE}/operationresults/d2Vz${literal}${QUERY}`,
    );
  });

  it('keeps an escaped slash escaped: it must not become another path segment', () => {
    expect(accepted(`${ARM}${SERVICE}/operationresults/ab%2Fcd${QUERY}`)).toBe(
      `${ARM}${SERVICE}/operationresults/ab%2Fcd${QUERY}`,
    );
  });

  it('keeps the query Azure gave (its api-version and anything else)', () => {
    expect(
      accepted(`${ARM}${SERVICE}//operationresults/${PADDED_ID}?api-version=2022-08-01&asyncResponse`),
    ).toBe(`${ARM}${SERVICE}/operationresults/${PADDED_ID}?api-version=2022-08-01&asyncResponse`);
  });

  it('reads the instance case-insensitively as Resource Manager does', () => {
    const checked = checkOperationUrl(CANONICAL.replace('resourceGroups', 'resourcegroups'), ARM);
    expect(checked.ok && sameInstance(checked.instance, { ...INSTANCE, resourceGroup: 'SDKTESTRG258' })).toBe(
      true,
    );
    expect(sameInstance(INSTANCE, { ...INSTANCE, serviceName: 'sdktestapim4219-dr' })).toBe(false);
  });
});

describe('checkOperationUrl still refuses, in every form', () => {
  const doubled = `${SERVICE}//operationresults/${PADDED_ID}${QUERY}`;
  it.each([
    [`http://management.azure.com${doubled}`, 'https'],
    [`http://management.azure.com${SERVICE}/operationresults/d2Vz%3D%3D${QUERY}`, 'https'],
    [`https://management.azure.com.evil.example${doubled}`, 'Resource Manager host'],
    [`https://management.azure.com:8443${doubled}`, 'Resource Manager host'],
    [`https://user:pw@management.azure.com${doubled}`, 'user name or password'],
    [`https://user@management.azure.com${doubled}`, 'user name or password'],
    [`${ARM}${doubled}#fragment`, 'fragment'],
    [`${ARM}${SERVICE}//backup${QUERY}`, 'operation-status URL'],
    [`${ARM}${SERVICE}//operationresults/${QUERY}`, 'operation-status URL'],
    [`${ARM}${SERVICE}//operationresults/${PADDED_ID}/more${QUERY}`, 'operation-status URL'],
    [
      `${ARM}${doubled.replace('Microsoft.ApiManagement/service', 'Microsoft.Web/sites')}`,
      'operation-status URL',
    ],
    [`${ARM}${SERVICE}%2F%2Foperationresults/${PADDED_ID}${QUERY}`, 'operation-status URL'],
    [`${ARM}${SERVICE}//operationresults/d2Vz%zz${QUERY}`, '%-escape'],
  ])('refuses %s', (url, says) => {
    const checked = checkOperationUrl(url, ARM);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem).toContain(says);
  });
});
