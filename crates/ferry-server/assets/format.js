// Formatting of the API's values (unix seconds, counts, rates) for display. Pure functions.

const pad = (n) => String(n).padStart(2, "0");

/** Local date and time, "2024-01-31 23:59:05"; "—" for null. */
export function time(unix) {
  if (unix === null || unix === undefined) return "—";
  const d = new Date(unix * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A span of seconds: "120ms", "45s", "3m 05s", "2h 10m", "3d 4h". */
export function duration(secs) {
  if (secs === null || secs === undefined) return "—";
  if (secs < 1) return `${Math.max(0, Math.round(secs * 1000))}ms`;
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** Relative to now: "5m 02s ago", "in 3m 00s". */
export function relative(unix, nowUnix) {
  if (unix === null || unix === undefined) return "—";
  const delta = unix - nowUnix;
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}

/** An integer with thousands separators. */
export function count(n) {
  if (n === null || n === undefined) return "—";
  return Number(n).toLocaleString("en-US");
}

/** Records per second with a precision that suits the magnitude. */
export function rate(perSecond) {
  if (perSecond === null || perSecond === undefined) return "—";
  const digits = perSecond >= 100 ? 0 : perSecond >= 1 ? 1 : 2;
  return `${perSecond.toFixed(digits)}/s`;
}

/** Seconds since the epoch, now. */
export function nowUnix() {
  return Math.floor(Date.now() / 1000);
}

/** "connection (platform api)" for a scheme's source or target. */
export function endpoint(end) {
  if (!end) return "—";
  const detail = [end.platform, end.api].filter(Boolean).join(" ");
  return detail ? `${end.connection} (${detail})` : end.connection;
}
