/** The small rules behind the resilience work: neutralising log text, status URLs, blob names, backoff, Deadline. */
import { Deadline } from '../../src/core/base/deadline';
import { isTransientStatus, MIN_POLL_MS, nextBackoff } from '../../src/core/azure/wait';
import { checkOperationUrl, quoteUrl } from '../../src/core/inputs/operation-url';
import { checkBlobName } from '../../src/core/inputs/naming-rules';
import { neutralise } from '../../src/core/report/neutralise';

const ARM = 'https://management.azure.com';
const PATH =
  '/subscriptions/a1b2c3d4-e5f6-4711-8899-aabbccddeeff/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/apim-prod/operationresults/b3A?api-version=2024-05-01';

describe('neutralise', () => {
  it.each([
    ['x##vso[task.setvariable variable=PWN]1', 'x# #vso[task.setvariable variable=PWN]1'],
    ['x##[stop-commands]t', 'x# #[stop-commands]t'],
    ['::add-mask::secret', ': :add-mask: :secret'],
    ['a ## VSO [b', 'a # # VSO [b'],
    ['bell\u0007 and bidi\u202e', 'bell\\u0007 and bidi\\u202e'],
    ['tab\tstays', 'tab\tstays'],
    ['https://host:443/path?a=b', 'https://host:443/path?a=b'],
  ])('%j → %j', (input, output) => {
    expect(neutralise(input)).toBe(output);
  });

  it('keeps lines, breaking a command at the start of any of them', () => {
    expect(neutralise('first\r\n::error::x\n##vso[task.complete]')).toBe(
      'first\n: :error: :x\n# #vso[task.complete]',
    );
  });
});

describe('checkOperationUrl', () => {
  it('accepts an APIM operation-status URL on the ARM host and reads the instance from it', () => {
    const checked = checkOperationUrl(`${ARM}${PATH}`, ARM);
    expect(checked).toEqual({
      ok: true,
      url: `${ARM}${PATH}`,
      instance: {
        subscriptionId: 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff',
        resourceGroup: 'rg-apim',
        serviceName: 'apim-prod',
      },
    });
  });

  it.each([
    [`https://evil.example${PATH}`, 'Resource Manager host'],
    [`http://management.azure.com${PATH}`, 'https'],
    [`https://u:p@management.azure.com${PATH}`, 'user name or password'],
    [`${ARM}/subscriptions/x/resourceGroups/y`, 'operation-status URL'],
    [`${ARM}${PATH}#frag`, 'fragment'],
    ['not a url', 'https'],
    [`${ARM}${PATH.replace('apim-prod', 'a%zz')}`, '%-escape'],
  ])('refuses %s', (url, says) => {
    const checked = checkOperationUrl(url, ARM);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem).toContain(says);
  });

  it('cuts credentials out of a quoted URL', () => {
    expect(quoteUrl('https://user:pw@host/x')).toBe('https://***@host/x');
    expect(quoteUrl('not a url')).toBe('not a url');
  });
});

describe('checkBlobName', () => {
  it.each([
    '../x',
    'a/../x',
    '/abs',
    'a\\b',
    'https://x/y',
    'a/./b',
    'a//b',
    'x##vso[a]',
    'x##[a]',
    'a::b',
    'a\u202eb',
    'a\u0000b',
  ])('refuses %j', (name) => expect(checkBlobName(name)).toBeDefined());
  it.each(['apim-prod-20240101-000000.apimbackup', 'nightly/apim.apimbackup', 'a.b..c', 'v1:2'])(
    'accepts %j',
    (name) => expect(checkBlobName(name)).toBeUndefined(),
  );
});

describe('waiting rules', () => {
  it('backs off from a second, doubling, capped', () => {
    const steps = [0, 1, 2, 3, 4, 5, 6].reduce<number[]>(
      (delays) => [...delays, nextBackoff(delays.at(-1) ?? 0, 60_000)],
      [],
    );
    expect(steps).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(nextBackoff(0, 1000)).toBe(MIN_POLL_MS);
  });

  it('treats 408, 429 and 5xx but 501 and 505 as transient', () => {
    expect([408, 429, 500, 502, 503, 504].every(isTransientStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 501, 505].some(isTransientStatus)).toBe(false);
  });
});

describe('Deadline', () => {
  it('race rejects at the deadline even when the work ignores its signal, naming the activity', async () => {
    const deadline = new Deadline(50);
    const started = Date.now();
    await expect(
      deadline.race('asking a server that never answers', () => new Promise(() => undefined)),
    ).rejects.toThrow('Stopped while asking a server that never answers');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(deadline.expired).toBe(true);
    expect(deadline.activity).toBe('asking a server that never answers');
    deadline.clear();
  });

  it('tells a cancel from a timeout', async () => {
    const cancel = new AbortController();
    const deadline = new Deadline(60_000, cancel.signal);
    const waiting = deadline.delay(60_000, 'waiting');
    cancel.abort();
    await expect(waiting).rejects.toThrow();
    expect(deadline.cancelled).toBe(true);
    expect(deadline.expired).toBe(false);
    expect(deadline.activity).toBe('waiting');
    deadline.clear();
  });

  it('names a request others wait on (a token renewal out in the background) over what started after it', async () => {
    const deadline = new Deadline(100);
    const never = () => new Promise<never>(() => undefined);
    const renewal = deadline.race('requesting an access token', never, { blocking: true });
    const poll = deadline.race('waiting for the backup (GET …)', never);
    await expect(poll).rejects.toThrow();
    await expect(renewal).rejects.toThrow();
    expect(deadline.activity).toBe('requesting an access token');
    deadline.clear();
  });

  it('forgets a request others waited on once it is answered', async () => {
    const deadline = new Deadline(100);
    await deadline.race('requesting an access token', async () => 'token', { blocking: true });
    await expect(deadline.race('reading the instance', () => new Promise(() => undefined))).rejects.toThrow();
    expect(deadline.activity).toBe('reading the instance');
    deadline.clear();
  });
});
