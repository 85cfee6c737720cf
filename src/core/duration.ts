/** Durations as users write them in workflow files: `90s`, `45m`, `1h30m`, or a bare number in a default unit. */

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Parses a duration into milliseconds; returns undefined for anything that is not one. */
export function parseDuration(text: string, bareNumberUnit: Unit): number | undefined {
  const value = text.trim().toLowerCase();
  if (/^\d+$/.test(value)) return Number(value) * UNIT_MS[bareNumberUnit];
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!match || value === '') return undefined;
  const [, hours = '0', minutes = '0', seconds = '0'] = match;
  return Number(hours) * UNIT_MS.h + Number(minutes) * UNIT_MS.m + Number(seconds) * UNIT_MS.s;
}

/** Formats milliseconds for logs: `45s`, `2m 05s`, `60m` → `1h`, `1h 30m`, `1h 00m 05s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (hours > 0)
    return (
      `${hours}h` + (minutes || seconds ? ` ${pad(minutes)}m` : '') + (seconds ? ` ${pad(seconds)}s` : '')
    );
  if (minutes > 0) return `${minutes}m` + (seconds ? ` ${pad(seconds)}s` : '');
  return `${seconds}s`;
}
