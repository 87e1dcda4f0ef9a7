/** Local calendar dates of UTC instants in an IANA time zone, cached per UTC hour. */
export class LocalCalendar {
  readonly timeZone: string;
  readonly #format: Intl.DateTimeFormat;
  readonly #byHour = new Map<string, string>();

  /** Throws a RangeError naming the zone when it is not one Intl knows. */
  constructor(timeZone = 'UTC') {
    this.timeZone = timeZone;
    this.#format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }

  /** 'YYYY-MM-DD' of an instant. */
  date(at: Date | string): string {
    return this.#format.format(typeof at === 'string' ? new Date(at) : at);
  }

  /**
   * The local date of a UTC hour ('YYYY-MM-DDTHH'). Exact for every zone whose offset is a
   * whole number of hours; a zone off by a half or quarter hour has the first minutes of
   * its day counted with the day before (usage is rolled up per UTC hour).
   */
  dateOfHour(hour: string): string {
    let date = this.#byHour.get(hour);
    if (date === undefined) {
      date = this.timeZone === 'UTC' ? hour.slice(0, 10) : this.date(`${hour}:00:00.000Z`);
      this.#byHour.set(hour, date);
    }
    return date;
  }
}

export const WEEKDAYS = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The period a local date falls in: itself, its week's first day, or its month. */
export function periodOf(
  date: string,
  period: 'daily' | 'weekly' | 'monthly',
  weekStart: Weekday = 'sunday',
): string {
  if (period === 'daily') return date;
  if (period === 'monthly') return date.slice(0, 7);
  const day = new Date(`${date}T00:00:00Z`);
  const back = (day.getUTCDay() - WEEKDAYS.indexOf(weekStart) + 7) % 7;
  day.setUTCDate(day.getUTCDate() - back);
  return day.toISOString().slice(0, 10);
}

/** A day shifted by whole days ('YYYY-MM-DD'). */
export function addDays(date: string, days: number): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}
