/** parseDuration and formatDuration: durations as users write them, and as the log shows them. */
import { formatDuration, parseDuration } from '../../src/core/base/duration';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;

describe('parseDuration', () => {
  it.each([
    ['90s', 'm', 90 * S],
    ['45m', 'm', 45 * M],
    ['1h30m', 'm', H + 30 * M],
    ['1h30m15s', 'm', H + 30 * M + 15 * S],
    ['2h', 's', 2 * H],
    ['1h15s', 's', H + 15 * S],
    ['0s', 'm', 0],
    ['1H30M', 'm', H + 30 * M],
    [' 5m ', 's', 5 * M],
    ['90', 'm', 90 * M],
    ['90', 's', 90 * S],
    ['3', 'h', 3 * H],
    ['007', 's', 7 * S],
    ['0', 'm', 0],
    ['7d', 'h', 7 * 24 * H],
    ['1d12h', 'm', 36 * H],
    ['2', 'd', 2 * 24 * H],
  ] as const)('%p with bare unit %s is %d ms', (text, unit, expected) => {
    expect(parseDuration(text, unit)).toBe(expected);
  });

  it.each([
    '',
    ' ',
    'h',
    'm',
    's',
    '1.5h',
    '1,5m',
    '-5',
    '-5m',
    '+5m',
    '30 minutes',
    '1 h',
    'd1',
    '1h1d',
    '1w',
    '30m1h',
    '5s5m',
    '1h1h',
    'PT1H',
    'soon',
    '5ms',
    '1e3',
  ])('refuses %p', (text) => {
    expect(parseDuration(text, 'm')).toBeUndefined();
    expect(parseDuration(text, 's')).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [499, '0s'],
    [500, '1s'],
    [45 * S, '45s'],
    [59 * S, '59s'],
    [59_500, '1m'],
    [60 * S, '1m'],
    [2 * M, '2m'],
    [2 * M + 5 * S, '2m 05s'],
    [60 * M, '1h'],
    [H + 30 * M, '1h 30m'],
    [H + 5 * S, '1h 00m 05s'],
    [H + 30 * M + 5 * S, '1h 30m 05s'],
    [25 * H + 2 * M + 3 * S, '1d 01h'],
    [7 * 24 * H, '7d'],
    [-5 * S, '0s'],
  ])('%d ms is %p', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it('round-trips with parseDuration for whole seconds', () => {
    for (const text of ['45s', '2m', '2m05s', '1h', '1h30m', '1h00m05s']) {
      const ms = parseDuration(text, 's') as number;
      expect(formatDuration(ms).replace(/ /g, '')).toBe(text);
    }
  });
});
