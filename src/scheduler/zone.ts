/** Zone used when neither the schedule nor the job names one. */
export const DEFAULT_ZONE = "UTC";

/**
 * IANA zone names are checked with Intl because croner resolves zones through Intl too:
 * whatever passes here is a zone croner can schedule in (on workerd as on Node).
 */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
