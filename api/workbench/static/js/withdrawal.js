// Withdrawing a wrong document (撤回材料): a button on each document of the case file for whoever
// may write the case; it opens a small form asking for the reason the API requires, and asks
// once more before the step goes to the outbox (so it works offline like every step). The
// document stays in the file, marked withdrawn: nothing is deleted.
import { h } from "./dom.js";
import { field, formStatus } from "./forms.js";
import { t } from "./i18n.js";

export const WITHDRAWAL = "document-withdrawal";

/** The document a waiting or refused withdrawal in the outbox names, if any. */
function withdrawalOf(item) {
  if (item.command !== WITHDRAWAL) return null;
  try {
    return JSON.parse(item.body).document_id || null;
  } catch {
    return null;
  }
}

/**
 * What a document's entry offers about withdrawing it, as {button, below}: nothing once
 * withdrawn or for a reader who may not write the case; "withdrawal waiting" while one is in
 * the outbox; otherwise the button and its form (hidden until the button is pressed).
 */
export function withdrawalControls(c, d, { writer, pending, onCommand }) {
  if (d.withdrawn_at || !writer) return { button: null, below: null };
  const waiting = pending.find((item) => withdrawalOf(item) === d.id);
  if (waiting) {
    const words = t(waiting.state === "refused" ? "withdrawalRefused" : "withdrawalWaiting");
    return { button: null, below: h("p", { class: "withdrawal-waiting", dataset: { withdrawal: waiting.state } }, words) };
  }
  const reason = field("reason", t("withdrawalReason"), { kind: "textarea", required: true, hint: t("withdrawalHint") });
  const form = h(
    "form",
    { "data-command": WITHDRAWAL, class: "command withdrawal", "aria-label": t("withdrawTitle", { title: d.title }), hidden: true },
    h("input", { type: "hidden", name: "document_id", value: d.id }),
    reason,
    formStatus(),
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "submit", class: "primary danger" }, t("withdrawConfirmButton")),
      h("button", { type: "button", class: "link-button", dataset: { action: "cancel-withdrawal" }, onclick: () => close() }, t("cancelWithdrawal")),
    ),
  );
  const button = h(
    "button",
    {
      type: "button",
      class: "link-button danger",
      dataset: { action: "withdraw-document" },
      "aria-expanded": "false",
      onclick: () => open(),
    },
    t("withdrawDocument"),
  );
  function open() {
    form.hidden = false;
    button.hidden = true;
    button.setAttribute("aria-expanded", "true");
    form.querySelector("textarea").focus();
  }
  function close() {
    form.reset();
    form.hidden = true;
    button.hidden = false;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = form.elements.namedItem("reason").value.trim();
    if (!text) return; // `required` says so; a reason of blanks is refused by the API too
    if (!window.confirm(t("withdrawConfirm", { title: d.title }))) return;
    onCommand(form, WITHDRAWAL);
  });
  form.openForFix = open;
  return { button, below: form };
}

/** The withdrawal form of the document a refused outbox item names, opened, to correct it. */
export function withdrawalFormFor(container, item) {
  const id = withdrawalOf(item);
  const form = id && container.querySelector(`li[data-document-id="${CSS.escape(id)}"] form[data-command="${WITHDRAWAL}"]`);
  if (!form) return null;
  form.openForFix();
  return form;
}
