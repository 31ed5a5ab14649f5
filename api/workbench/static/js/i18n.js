// Chinese by default (when the browser prefers it), English on request; the choice is kept.
import { EN, ZH } from "./words.js";

const DICTIONARIES = { zh: ZH, en: EN };
const KEY = "tongjie.lang";
let current = "zh";

export function preferredLanguage() {
  const chosen = localStorage.getItem(KEY);
  if (chosen === "zh" || chosen === "en") return chosen;
  for (const tag of navigator.languages || [navigator.language || ""]) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "zh") return "zh";
    if (primary === "en") return "en";
  }
  return "zh";
}

export function setLanguage(lang, remember = false) {
  current = lang;
  if (remember) localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  document.title = `${t("brand")} · ${t("title")}`;
}

export function language() {
  return current;
}

/** The word for `key`, with `{name}` placeholders filled from `values`. */
export function t(key, values = {}) {
  const text = DICTIONARIES[current][key] ?? EN[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** A domain code (`family`, `in_mediation`...) in the reader's language. */
export function term(group, code) {
  if (code === null || code === undefined || code === "") return "—";
  return DICTIONARIES[current][`${group}.${code}`] ?? code;
}

/** "：" between a label and its value in Chinese, ": " in English. */
export function colon() {
  return language() === "zh" ? "：" : ": ";
}
