// One case: what it is, where it stands, every event in plain words with who did it, and a
// form for each command its state allows this user.
import { h, replace } from "./dom.js";
import { allowed, awaitsSignedAgreement, commandForm, commandTitle, label } from "./commands.js";
import { colon, language, t, term } from "./i18n.js";
import { dateOnly, dateTime, dueWords, isOverdue } from "./time.js";
import { withdrawalControls } from "./withdrawal.js";

function money(amount) {
  return amount === null || amount === undefined ? "—" : t("yuan", { amount });
}

function categoryText(reference, code, sub) {
  const category = reference.categories.find((c) => c.code === code);
  const subcategory = category?.subcategories.find((s) => s.code === sub);
  const main = category ? label(category) : term("category", code);
  return subcategory ? `${main} · ${label(subcategory)}` : main;
}

function mediatorText(names, code) {
  return code ? names.mediators[code] || code : "—";
}

function organisationText(names, code) {
  return code ? names.organisations[code] || code : "—";
}

function actorText(names, actor) {
  if (!actor) return "—";
  const name = names.users[actor.login];
  return `${name || actor.login}${aside(term("role", actor.role))}`;
}

/** "（x）" in Chinese, " (x)" in English. */
function aside(text) {
  return language() === "zh" ? `（${text}）` : ` (${text})`;
}

function list(items) {
  return items.join(language() === "zh" ? "、" : ", ");
}

const BUSINESS = {
  Received: "received_at",
  Routed: "routed_at",
  Mediated: "held_at",
  DeadlineExtended: "extended_at",
  RiskAssessed: "assessed_at",
  RegistrationCorrected: "corrected_at",
  Resolved: "resolved_at",
  FollowUpRecorded: "visited_at",
  JudicialConfirmationRecorded: "applied_at",
  DocumentAttached: "attached_at",
  DocumentWithdrawn: "withdrawn_at",
};

/** A document's title, and its kind unless the title says it already. */
function documentWords(d) {
  const kind = term("kind", d.kind);
  return d.title && d.title !== kind ? `${kind}${language() === "zh" ? "：" : ": "}${d.title}` : d.title || kind;
}

/** A size in bytes as a reader says it: 830 KB, 2.4 MB. */
export function sizeText(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** An event's data in plain words. */
export function say(event, reference, names) {
  const d = event.data || {};
  const r = d.registration || {};
  switch (event.type) {
    case "Received":
      return t("say.Received", { category: categoryText(reference, r.category, r.subcategory), channel: term("channel", r.channel), summary: r.summary || "" });
    case "Routed":
      return t("say.Routed", { mediator: mediatorText(names, d.mediator), organisation: organisationText(names, d.organisation), due: dateTime(d.due_at) })
        + (d.rule ? t("say.byRule", { rule: d.rule }) : "")
        + (d.overridden && d.override_reason ? t("say.override", { what: term("ineligible", d.overridden), reason: d.override_reason }) : "");
    case "Mediated":
      return t("say.Mediated", {
        method: term("method", d.method),
        duration: d.duration_minutes ? t("minutes", { minutes: d.duration_minutes }) : "",
        attendees: list(d.attendees || []) || "—",
        notes: d.notes || "",
      });
    case "DeadlineExtended":
      return t("say.DeadlineExtended", { due: dateTime(d.new_due_at), reason: d.reason || "" });
    case "RiskAssessed":
      return t("say.RiskAssessed", { level: term("level", d.level), reason: d.reason || "" });
    case "RegistrationCorrected":
      return t("say.RegistrationCorrected", { fields: correctedFields(d), reason: d.reason || "" });
    case "Resolved": {
      const a = d.agreement;
      const details = a
        ? `${term("form", a.form)}${a.amount ? `${language() === "zh" ? "，" : ", "}${money(a.amount)}` : ""}${language() === "zh" ? "：" : ": "}${a.terms}`
        : d.referral
          ? term("referral", d.referral)
          : "";
      return t("say.Resolved", { outcome: term("outcome", d.outcome), details: [details, d.note].filter(Boolean).join(" ") });
    }
    case "FollowUpRecorded":
      return t("say.FollowUpRecorded", { fulfilment: term("fulfilment", d.fulfilment), satisfaction: d.satisfaction, note: d.note || "" });
    case "JudicialConfirmationRecorded":
      return d.ruling ? t("say.ruled", { ruling: term("ruling", d.ruling) }) : t("say.applied");
    case "DocumentAttached":
      return t("say.DocumentAttached", { what: documentWords(d), size: sizeText(d.size || 0) });
    case "DocumentWithdrawn":
      return d.title ? t("say.DocumentWithdrawnTitled", { title: d.title, reason: d.reason || "" }) : t("say.DocumentWithdrawn", { reason: d.reason || "" });
    default:
      return "";
  }
}

function correctedFields(data) {
  const named = data.changed || [];
  return named.length ? list(named.map((name) => t(`field.${name}`))) : "—";
}

const REGISTRATION = ["category", "subcategory", "street", "channel", "summary", "parties", "claim_amount"];

/** Which registration fields each correction changed, from the registration before it. */
function markCorrections(events) {
  let before = null;
  return events.map((event) => {
    const registration = event.data?.registration;
    if (!registration) return event;
    const changed = before ? REGISTRATION.filter((name) => JSON.stringify(registration[name]) !== JSON.stringify(before[name])) : [];
    before = registration;
    return event.type === "RegistrationCorrected" ? { ...event, data: { ...event.data, changed } } : event;
  });
}

/** Each withdrawal with the title of the document it withdraws (from the event attaching it). */
function nameWithdrawals(events) {
  const titles = new Map(events.filter((e) => e.type === "DocumentAttached").map((e) => [e.data?.document_id, e.data?.title]));
  return events.map((event) =>
    event.type === "DocumentWithdrawn" && titles.get(event.data?.document_id)
      ? { ...event, data: { ...event.data, title: titles.get(event.data.document_id) } }
      : event,
  );
}

function facts(rows) {
  return h("dl", { class: "facts" }, rows.filter(Boolean).map(([term_, value]) => [h("dt", {}, term_), h("dd", {}, value)]));
}

function timeline(events, reference, names) {
  return h(
    "ol",
    { class: "timeline" },
    nameWithdrawals(markCorrections(events))
      .reverse()
      .map((event) => {
        const when = event.data?.[event.type === "JudicialConfirmationRecorded" && event.data?.ruling ? "ruled_at" : BUSINESS[event.type]];
        return h(
          "li",
          { dataset: { event: event.type, version: event.version } },
          h("p", { class: "event-head" }, h("strong", {}, term("event", event.type)), " ", h("time", { datetime: when || event.recorded_at }, dateTime(when || event.recorded_at))),
          h("p", { class: "event-words" }, say(event, reference, names)),
          h("p", { class: "event-meta" }, `${actorText(names, event.actor)} · ${t("recordedAt", { time: dateTime(event.recorded_at) })}`),
        );
      }),
  );
}

/** The case file's documents, each opened on demand (the bytes need the token); after a
 * written agreement, the agreement to print; for the case's writer, each withdrawn on demand. */
function documentsPanel(c, names, { onOpenDocument, onOpenAgreement, withdrawal }) {
  const documents = c.documents || [];
  const written = c.status === "resolved" && c.agreement?.form === "written";
  return h(
    "section",
    { class: "panel documents", "aria-labelledby": "documents-title" },
    h("h2", { id: "documents-title" }, t("documents")),
    written
      ? h(
          "div",
          { class: "agreement-offer" },
          awaitsSignedAgreement(c) ? h("p", { class: "hint" }, t("agreementHelp")) : null,
          h("button", { type: "button", class: "link-button", dataset: { agreement: c.id }, onclick: () => onOpenAgreement(c) }, t("printAgreement")),
        )
      : null,
    documents.length === 0
      ? h("p", { class: "muted" }, t("noDocuments"))
      : h(
          "ul",
          { class: "document-list" },
          documents.map((d) => {
            const withdraw = withdrawalControls(c, d, withdrawal);
            return h(
              "li",
              { dataset: { documentId: d.id, kind: d.kind }, class: d.withdrawn_at ? "withdrawn" : null },
              h("p", {}, h("strong", {}, d.title), d.title === term("kind", d.kind) ? "" : ` · ${term("kind", d.kind)}`, ` · ${sizeText(d.size)}`),
              h("p", { class: "event-meta" }, `${actorText(names, d.attached_by)} · ${dateTime(d.attached_at)}`),
              d.withdrawn_at ? h("p", { class: "withdrawn-note", dataset: { withdrawn: "true" } }, t("withdrawnMark", { reason: d.withdrawal_reason || "" })) : null,
              d.withdrawn_at ? h("p", { class: "event-meta" }, t("withdrawnBy", { who: actorText(names, d.withdrawn_by), time: dateTime(d.withdrawn_at) })) : null,
              h(
                "div",
                { class: "buttons" },
                h("button", { type: "button", class: "link-button", dataset: { action: "open-document" }, onclick: () => onOpenDocument(c, d) }, t("openDocument")),
                withdraw.button,
              ),
              withdraw.below,
            );
          }),
        ),
  );
}

export function pendingList(items) {
  if (!items.length) return null;
  return h(
    "section",
    { class: "panel pending", "aria-labelledby": "pending-title" },
    h("h2", { id: "pending-title" }, t("pendingHere")),
    h("ul", {}, items.map((item) => h("li", { dataset: { outboxItem: item.key, state: item.state } }, `${item.label} · ${t(`state.${item.state}`)}`))),
  );
}

/** The other cases of a repeat party that this user may see (the API leaves out the others). */
function repeats(c) {
  if (!c.repeat_party) return null;
  const others = c.repeat_cases || [];
  return h(
    "div",
    { class: "repeat-cases", dataset: { repeatCases: String(others.length) } },
    h("h3", {}, t("repeatCases")),
    others.length
      ? h("ul", {}, others.map((o) => h("li", {}, h("a", { href: `#/cases/${o.id}` }, o.number), ` · ${term("status", o.status)} · ${dateOnly(o.received_at)}`)))
      : h("p", { class: "muted" }, t("repeatHidden")),
  );
}

/**
 * Renders the page; `onCommand(form, command)` handles a submitted form. Returns the forms by
 * command, so that an outbox item can be corrected in its own form.
 */
export function renderCase(container, { me, c, events, names, reference, pending, onCommand, openCommand, fixingKey, dashboardLink, onOpenDocument, onOpenAgreement, advise }) {
  const overdue = c.status !== "resolved" && isOverdue(c.due_at);
  const header = h(
    "header",
    { class: "case-head" },
    h("p", { class: "crumbs" }, h("a", { href: me.role === "mediator" ? "#/" : "#/cases", class: "back" }, `← ${me.role === "mediator" ? t("nav.mine") : t("backToList")}`),
      dashboardLink ? h("a", { href: `/dashboard#/cases/${c.id}`, class: "dashboard-link" }, t("inDashboard")) : null),
    h("h1", { id: "case-title", tabindex: "-1" }, t("caseTitle", { number: c.number })),
    h(
      "p",
      { class: "badges" },
      h("span", { class: `badge status-${c.status}`, dataset: { status: c.status } }, term("status", c.status)),
      c.risk_level && c.risk_level !== "none" ? h("span", { class: `badge risk-${c.risk_level}` }, `${t("risk")}${colon()}${term("level", c.risk_level)}`) : null,
      c.status !== "resolved" ? h("span", { class: `badge ${overdue ? "overdue" : "due"}` }, dueWords(c.due_at)) : null,
      c.repeat_party ? h("span", { class: "badge repeat-party", dataset: { repeatParty: "true" } }, t("repeatParty")) : null,
    ),
  );
  const registration = h(
    "section",
    { class: "panel", "aria-labelledby": "registration-title" },
    h("h2", { id: "registration-title" }, t("registration")),
    facts([
      [t("category"), categoryText(reference, c.category, c.subcategory)],
      [t("street"), c.street],
      [t("channel"), term("channel", c.channel)],
      [t("summary"), c.summary],
      [t("claimAmount"), money(c.claim_amount)],
      [t("received"), dateTime(c.received_at)],
      [t("routedTo"), c.mediator ? `${mediatorText(names, c.mediator)}${aside(organisationText(names, c.organisation))}` : t("notRouted")],
      [t("deadline"), c.due_at ? `${dateOnly(c.due_at)}${c.extended ? aside(t("extended")) : ""}` : "—"],
      c.outcome ? [t("outcome"), term("outcome", c.outcome)] : null,
    ]),
    h("h3", {}, t("parties")),
    h(
      "ul",
      { class: "party-list" },
      c.parties.map((p) => h("li", {}, h("strong", {}, p.name), ` · ${term("partyRole", p.role)}`, p.phone ? ` · ${p.phone}` : "")),
    ),
    repeats(c),
  );
  const commands = allowed(me, c);
  const forms = {};
  let actions;
  if (me.role === "auditor") {
    actions = h("section", { class: "panel" }, h("p", { class: "muted" }, t("readOnly")));
  } else {
    actions = h(
      "section",
      { class: "panel actions", "aria-labelledby": "actions-title" },
      h("h2", { id: "actions-title" }, t("actions")),
      commands.length === 0 ? h("p", { class: "muted" }, t("noActions")) : null,
      commands.map((command) => {
        const form = commandForm(command, me, c, reference, { advise });
        forms[command] = form;
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          onCommand(form, command);
        });
        const section = h(
          "details",
          { class: "command-section", open: command === openCommand, dataset: { section: command } },
          h("summary", {}, commandTitle(command, c, me)),
          form,
        );
        if (form.ask) {
          // The route form reads its suggestion when opened (it needs the connection).
          section.addEventListener("toggle", () => section.open && form.ask());
          if (section.open) queueMicrotask(() => form.ask());
        }
        return section;
      }),
    );
  }
  replace(
    container,
    header,
    h("div", { class: "case-work" }, pendingList(pending), actions),
    h(
      "div",
      { class: "case-record" },
      registration,
      documentsPanel(c, names, {
        onOpenDocument,
        onOpenAgreement,
        withdrawal: { writer: commands.includes("document"), pending: pending.filter((item) => item.key !== fixingKey), onCommand },
      }),
      h("section", { class: "panel", "aria-labelledby": "timeline-title" }, h("h2", { id: "timeline-title" }, t("timeline")), timeline(events, reference, names)),
    ),
  );
  return forms;
}
