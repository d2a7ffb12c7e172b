/** Dates as the street reads them, in its own time zone whatever the server's. */

type Part = Intl.DateTimeFormatPartTypes;

function partsGetter(format: Intl.DateTimeFormat): (at: Date) => (type: Part) => string {
  return (at) => {
    const parts = format.formatToParts(at);
    return (type) => parts.find((p) => p.type === type)?.value ?? '';
  };
}

/** 2026-11-28 09:05 */
export function dateTimeFormatter(timeZone: string): (at: Date | null) => string {
  const get = partsGetter(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }),
  );
  return (at) => {
    if (at === null) return '';
    const p = get(at);
    return `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')}`;
  };
}

/**
 * ISO 8601 with the zone's offset: 2026-11-28T09:05:00+08:00. Open311 consumers (and Excel)
 * read this as the street's local time while it still names one exact instant. The read API
 * writes milliseconds too (2026-11-28T09:05:00.000+08:00), as it always has.
 */
export function isoFormatter(
  timeZone: string,
  options: { readonly milliseconds?: boolean } = {},
): (at: Date | null) => string | null {
  const get = partsGetter(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      ...(options.milliseconds ? { fractionalSecondDigits: 3 as const } : {}),
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    }),
  );
  return (at) => {
    if (at === null) return null;
    const p = get(at);
    // longOffset reads "GMT+08:00", or just "GMT" in some ICU versions for UTC itself.
    const offset = p('timeZoneName').replace(/^GMT/, '') || '+00:00';
    const fraction = options.milliseconds ? `.${p('fractionalSecond')}` : '';
    return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}:${p('second')}${fraction}${offset}`;
  };
}
