// Times: the API's are ISO 8601 in the bureau's offset; inputs are the device's wall time.
import { language, t } from "./i18n.js";

const DAY = 86400000;

function pad(n, width = 2) {
  return String(n).padStart(width, "0");
}

/** A Date as ISO 8601 with the device's offset ("2026-03-01T09:00:00+08:00"). */
export function isoWithOffset(date) {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const offset = `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${offset}`
  );
}

/** A datetime-local input's value ("2026-03-01T09:00") as ISO 8601 with the device's offset. */
export function fromInput(value) {
  if (!value) return null;
  const date = new Date(value); // no offset: the device's wall time
  return Number.isNaN(date.getTime()) ? value : isoWithOffset(date);
}

/** An API time as a datetime-local input's value, in the device's wall time. */
export function toInput(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** An API time shown in the bureau's wall time, as the API wrote it. */
export function dateTime(iso) {
  if (!iso) return "—";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

export function dateOnly(iso) {
  return iso ? iso.slice(0, 10) : "—";
}

/** "overdue 3 days", "due in 5 days", "due today", for an open case's due_at. */
export function dueWords(dueAt, now = Date.now()) {
  if (!dueAt) return t("notRouted");
  const left = new Date(dueAt).getTime() - now;
  if (left < 0) return t("overdueBy", { days: Math.max(1, Math.floor(-left / DAY)) });
  const days = Math.floor(left / DAY);
  return days === 0 ? t("dueToday") : t("dueIn", { days });
}

export function isOverdue(dueAt, now = Date.now()) {
  return Boolean(dueAt) && new Date(dueAt).getTime() < now;
}

export function wholeDays(value) {
  return new Intl.NumberFormat(language() === "zh" ? "zh-CN" : "en-GB", { maximumFractionDigits: 0 }).format(
    Math.floor(value),
  );
}
