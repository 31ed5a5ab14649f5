// Numbers and times as the bureau reads them.
import { bureauZone, rateDisplay } from "./display.js";
import { locale } from "./i18n.js";

const DASH = "—";

/**
 * A ratio as a percentage with two decimals, as the bureau shows it: truncated (0.9978706 ->
 * "99.78%", its reports' way) or rounded half up ("99.79%"), by TONGJIE_RATE_DISPLAY.
 */
export function percent(ratio, mode = rateDisplay()) {
  if (ratio === null || ratio === undefined) return DASH;
  // toPrecision drops the binary noise of ratio * 10000 before cutting or rounding.
  const exact = Number((ratio * 10000).toPrecision(12));
  const basisPoints = mode === "half_up" ? Math.floor(exact + 0.5) : Math.floor(exact);
  const whole = Math.floor(basisPoints / 100);
  const cents = String(basisPoints % 100).padStart(2, "0");
  return `${whole}.${cents}%`;
}

/** A mean score (satisfaction, 1-5) with two decimals. */
export function score(value) {
  if (value === null || value === undefined) return DASH;
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

export function count(value) {
  if (value === null || value === undefined) return DASH;
  return new Intl.NumberFormat(locale()).format(value);
}

export function days(value) {
  if (value === null || value === undefined) return DASH;
  return new Intl.NumberFormat(locale(), {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
}

/** A decimal string ("12345.60") with grouped thousands, kept exact (no float). */
export function money(value) {
  if (value === null || value === undefined) return DASH;
  const [whole, fraction = "00"] = String(value).split(".");
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}.${fraction.padEnd(2, "0")}`;
}

/** A large amount in a short form (2.1亿, 210.42M); `money` gives it exactly. */
export function compactMoney(value) {
  if (value === null || value === undefined) return DASH;
  const amount = Number(value);
  if (Math.abs(amount) < 1e6) return money(value);
  return new Intl.NumberFormat(locale(), { notation: "compact", maximumFractionDigits: 2 }).format(amount);
}

/** A time as the API gives it (the bureau's offset), shown in the bureau's wall time. */
export function dateTime(iso) {
  if (!iso) return DASH;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** The time of day in the bureau's time zone (whatever the browser's), to the second. */
export function clock(date = new Date()) {
  return date.toLocaleTimeString(locale(), { hour12: false, timeZone: bureauZone() });
}

/** A figure for data-value when its source text is unknown: as JSON writes it, strings bare. */
export function raw(value) {
  return value === null || value === undefined ? "null" : String(value);
}
