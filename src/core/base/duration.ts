/** Durations as users write them in workflow files: `90s`, `45m`, `1h30m`, `7d`, or a bare number in a default unit. */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Parses a duration into milliseconds; returns undefined for anything that is not one. */
export function parseDuration(text: string, bareNumberUnit: Unit): number | undefined {
  const value = text.trim().toLowerCase();
  if (/^\d+$/.test(value)) return Number(value) * UNIT_MS[bareNumberUnit];
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!match || value === '') return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return (
    Number(days) * UNIT_MS.d +
    Number(hours) * UNIT_MS.h +
    Number(minutes) * UNIT_MS.m +
    Number(seconds) * UNIT_MS.s
  );
}

/** Formats milliseconds for logs: `45s`, `2m 05s`, `60m` → `1h`, `1h 30m`, `1h 00m 05s`, `3d 04h`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d` + (hours ? ` ${pad(hours)}h` : '');
  if (hours > 0)
    return (
      `${hours}h` + (minutes || seconds ? ` ${pad(minutes)}m` : '') + (seconds ? ` ${pad(seconds)}s` : '')
    );
  if (minutes > 0) return `${minutes}m` + (seconds ? ` ${pad(seconds)}s` : '');
  return `${seconds}s`;
}
