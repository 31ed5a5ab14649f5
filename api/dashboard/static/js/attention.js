// 需要关注 / Needs attention: how many open cases have each reason to be looked at now
// (GET /api/v1/attention), each count a link to the workbench's list of those cases.
import { problemText } from "./api.js";
import { h, replace } from "./dom.js";
import { count } from "./format.js";
import { language, t } from "./i18n.js";

const LIST = "/workbench#/attention";

/** answer: the /attention answer (or {error}); every reason, in order of urgency. */
export function renderAttention(container, answer) {
  if (answer.error) {
    replace(container, h("p", { class: "note problem", role: "status", text: t("unavailable", { detail: problemText(answer.error, t("unreachable")) }) }));
    return;
  }
  const { counts, total } = answer.body;
  const link = (code, text, n) =>
    h("a", { href: code ? `${LIST}?reason=${code}` : LIST, class: `attention-count${n ? "" : " none"}`, "data-reason": code || "all", "data-value": String(n) },
      h("span", { class: "n", text: count(n) }),
      h("span", { class: "what", text }));
  replace(
    container,
    h("div", { class: "attention-counts" },
      link("", t("attentionAll"), total),
      ...counts.map((c) => link(c.code, c[language()] || c.en, c.count))),
    h("p", { class: "note", text: t("attentionNote") }),
  );
}
