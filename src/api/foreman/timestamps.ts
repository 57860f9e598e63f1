/** "YYYY-MM-DD HH:MM:SS UTC", as Foreman's views render times. */
export function foremanTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
