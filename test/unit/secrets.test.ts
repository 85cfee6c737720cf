/** SecretRegistry and the redacting logger and host: a registered secret never reaches a log line. */
import type { Host, Logger } from '../../src/core/ports';
import { redactingHost, redactingLogger, SecretRegistry } from '../../src/core/report/secrets';

const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJyZXBvOm93bmVyL25hbWUiLCJleHAiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLXBhcnQ';

function registry() {
  const masked: string[] = [];
  const secrets = new SecretRegistry((value) => masked.push(value));
  return { secrets, masked };
}

function recordingLogger(debugEnabled = false) {
  const lines: [level: string, message: string][] = [];
  const log: Logger = {
    info: (message) => lines.push(['info', message]),
    warning: (message) => lines.push(['warning', message]),
    debug: (message) => lines.push(['debug', message]),
    debugEnabled,
  };
  return { log, lines };
}

describe('SecretRegistry', () => {
  it('replaces every occurrence of every registered secret', () => {
    const { secrets } = registry();
    secrets.add('hunter2-secret');
    secrets.add('storage+key/with=');
    expect(secrets.redact('a hunter2-secret b hunter2-secret c storage+key/with= d')).toBe(
      'a *** b *** c *** d',
    );
  });

  it('treats regular-expression characters in a secret literally', () => {
    const { secrets } = registry();
    secrets.add('a.b*c(d)$');
    expect(secrets.redact('x a.b*c(d)$ y aXbbc(d)$ z')).toBe('x *** y aXbbc(d)$ z');
  });

  it('leaves text without secrets alone', () => {
    const { secrets } = registry();
    secrets.add('hunter2-secret');
    expect(secrets.redact('Backup succeeded in 2m 05s.')).toBe('Backup succeeded in 2m 05s.');
  });

  it('tells the runner about each secret exactly once', () => {
    const { secrets, masked } = registry();
    secrets.add('first-secret');
    secrets.add('second-secret');
    secrets.add('first-secret');
    secrets.add('second-secret');
    expect(masked).toEqual(['first-secret', 'second-secret']);
  });

  it.each([undefined, '', 'abc'])('ignores %p (nothing to mask)', (value) => {
    const { secrets, masked } = registry();
    secrets.add(value);
    expect(masked).toEqual([]);
    expect(secrets.redact('abc')).toBe('abc');
  });

  it('registers values of four characters and more', () => {
    const { secrets, masked } = registry();
    secrets.add('abcd');
    expect(masked).toEqual(['abcd']);
    expect(secrets.redact('xabcdx')).toBe('x***x');
  });

  it('masks the whole of a secret that contains another one', () => {
    const { secrets } = registry();
    secrets.add('key1');
    secrets.add('key1-and-the-rest-of-a-longer-secret');
    const redacted = secrets.redact('value: key1-and-the-rest-of-a-longer-secret');
    expect(redacted).not.toContain('the-rest-of-a-longer-secret');
    expect(redacted).toBe('value: ***');
  });

  it.each([
    ['Authorization: Bearer abc.def-ghi_jkl~mno+pqr/stu==', 'Authorization: Bearer ***'],
    ['authorization: bearer  tok3n', 'authorization: bearer  ***'],
    ['BEARER xyz end', 'BEARER *** end'],
  ])('cuts bearer tokens nobody registered: %p', (text, expected) => {
    expect(registry().secrets.redact(text)).toBe(expected);
  });

  it('cuts JWTs nobody registered', () => {
    const { secrets } = registry();
    expect(secrets.redact(`token=${JWT} end`)).toBe('token=*** end');
    expect(secrets.redact(`{"access_token":"${JWT}"}`)).toBe('{"access_token":"***"}');
    // An unsigned JWT too.
    const unsigned = JWT.split('.').slice(0, 2).join('.') + '.';
    expect(secrets.redact(`id ${unsigned}`)).toBe('id ***');
  });

  it('leaves short eyJ words that are not JWTs', () => {
    expect(registry().secrets.redact('eyJ is how JSON starts in base64')).toBe(
      'eyJ is how JSON starts in base64',
    );
  });
});

describe('redactingLogger', () => {
  it('redacts every level and keeps debugEnabled', () => {
    const { secrets } = registry();
    secrets.add('hunter2-secret');
    const { log, lines } = recordingLogger(true);
    const safe = redactingLogger(log, secrets);
    safe.info('info hunter2-secret');
    safe.warning('warning hunter2-secret');
    safe.debug(`debug hunter2-secret Bearer ${JWT}`);
    expect(lines).toEqual([
      ['info', 'info ***'],
      ['warning', 'warning ***'],
      ['debug', 'debug *** Bearer ***'],
    ]);
    expect(safe.debugEnabled).toBe(true);
    expect(redactingLogger(recordingLogger(false).log, secrets).debugEnabled).toBe(false);
  });

  it('redacts secrets registered after the logger was made', () => {
    const { secrets } = registry();
    const { log, lines } = recordingLogger();
    const safe = redactingLogger(log, secrets);
    secrets.add('late-secret');
    safe.info('late-secret');
    expect(lines).toEqual([['info', '***']]);
  });
});

describe('redactingHost', () => {
  it('redacts log lines, outputs and the summary, and keeps the rest of the host', async () => {
    const { secrets } = registry();
    secrets.add('hunter2-secret');
    const { log, lines } = recordingLogger();
    const outputs: [string, string][] = [];
    const summaries: string[] = [];
    const requestIdToken = jest.fn(async () => JWT);
    const host: Host = {
      log,
      setOutput: (name, value) => outputs.push([name, value]),
      writeSummary: async (markdown) => {
        summaries.push(markdown);
      },
      requestIdToken,
    };
    const safe = redactingHost(host, secrets);
    safe.log.warning('w hunter2-secret');
    safe.setOutput('backupUrl', 'https://x/hunter2-secret');
    await safe.writeSummary('# hunter2-secret');
    expect(lines).toEqual([['warning', 'w ***']]);
    expect(outputs).toEqual([['backupUrl', 'https://x/***']]);
    expect(summaries).toEqual(['# ***']);
    expect(safe.requestIdToken).toBe(requestIdToken);
  });
});

describe('SecretRegistry with a multi-line secret (a PEM)', () => {
  const pem =
    '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';

  it('hands the runner each line but the armour, never the multi-line value', () => {
    const { secrets, masked } = registry();
    secrets.add(pem);
    expect(masked).toEqual(['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7']);
  });

  it('redacts the whole value and any one of its lines', () => {
    const { secrets } = registry();
    secrets.add(pem);
    expect(secrets.redact(`key: ${pem}`)).toBe('key: ***');
    expect(secrets.redact('line BKcwggSjAgEAAoIBAQC7 leaked')).toBe('line *** leaked');
  });
});
