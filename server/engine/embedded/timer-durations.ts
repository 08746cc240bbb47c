// ISO 8601 durations and repeating intervals as Zeebe timers use them.

/** Milliseconds of a duration of weeks, days, hours, minutes and seconds (PnW, PnDTnHnMnS). */
export function durationMs(iso: string): number | null {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso.trim());
  if (!m) return null;
  const [w, d, h, min, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  return ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000 || null;
}

/** The next due time of a repeating timer `R[n]/duration`, or null when it has no repetitions left. */
export function nextCycleDue(timer: { cycle: string | null; repetitions: number | null; due_at: Date }, now: Date): { dueAt: Date; repetitions: number | null } | null {
  if (!timer.cycle) return null;
  const remaining = timer.repetitions === null ? null : timer.repetitions - 1;
  if (remaining !== null && remaining <= 0) return null;
  const match = /^R(\d*)\/(P.+)$/.exec(timer.cycle);
  const ms = match && durationMs(match[2]);
  if (!ms) return null;
  let due = new Date(timer.due_at).getTime() + ms;
  if (due <= now.getTime()) due = now.getTime() + ms;
  return { dueAt: new Date(due), repetitions: remaining };
}
