// One case: its current state, its verification and its timeline (both times and the actor).
import { userNames } from "./api.js";
import { h, replace } from "./dom.js";
import { count, dateTime } from "./format.js";
import { t, term } from "./i18n.js";
import { table } from "./tables.js";

const BUSINESS_TIMES = [
  "received_at",
  "routed_at",
  "held_at",
  "extended_at",
  "assessed_at",
  "corrected_at",
  "resolved_at",
  "visited_at",
  "ruled_at",
  "applied_at",
];

function businessTime(event) {
  for (const name of BUSINESS_TIMES) if (event.data?.[name]) return event.data[name];
  return null;
}

/** Who acted, by name (the history names logins), and in which role. */
function actorText(actor, people) {
  if (!actor) return "—";
  return `${people[actor.login] || actor.login}（${term("role", actor.role)}）`;
}

function detail(event, names) {
  const d = event.data || {};
  switch (event.type) {
    case "Routed":
      return `${names.organisations.get(d.organisation)?.name ?? d.organisation} · ${names.mediators.get(d.mediator)?.name ?? d.mediator} · ${t("col.due_at")} ${dateTime(d.due_at)}`;
    case "RiskAssessed":
      return term("risk", d.level);
    case "Resolved":
      return term("outcome", d.outcome);
    case "DeadlineExtended":
      return `${t("col.due_at")} ${dateTime(d.new_due_at)}`;
    case "Received":
    case "RegistrationCorrected": {
      const registration = d.registration ?? d;
      return [term("category", registration.category), registration.street].filter(Boolean).join(" · ");
    }
    case "Mediated":
      return term("method", d.method);
    case "FollowUpRecorded":
      return term("fulfilment", d.fulfilment);
    case "JudicialConfirmationRecorded":
      return d.ruling ? term("ruling", d.ruling) : "";
    default:
      return "";
  }
}

function stateList(state, names) {
  const rows = [
    [t("col.status"), term("status", state.status)],
    [t("category"), term("category", state.category)],
    [t("street"), state.street],
    [t("field.channel"), term("channel", state.channel)],
    [t("organisation"), names.organisations.get(state.organisation)?.name ?? state.organisation ?? "—"],
    [t("mediator"), names.mediators.get(state.mediator)?.name ?? state.mediator ?? "—"],
    [t("field.received_at"), dateTime(state.received_at)],
    [t("field.routed_at"), dateTime(state.routed_at)],
    [t("col.due_at"), state.due_at ? [dateTime(state.due_at), state.overdue ? h("span", { class: "badge red", text: ` ${t("col.overdue")}` }) : null] : "—"],
    [t("col.risk"), term("risk", state.risk_level)],
    [t("field.outcome"), term("outcome", state.outcome)],
    [t("field.resolved_at"), dateTime(state.resolved_at)],
    [t("field.version"), count(state.version)],
    [t("field.summary"), state.summary ?? "—"],
  ];
  return h("dl", { class: "state" }, rows.map(([label, value]) => h("div", {}, h("dt", { text: label }), h("dd", {}, value))));
}

function verification(result) {
  if (result.status !== "fulfilled") {
    return h("p", { class: "verify unknown", text: t("verifyUnavailable", { status: result.reason?.status ?? "?" }) });
  }
  const v = result.value.body;
  return v.valid
    ? h("p", { class: "verify valid", "data-verified": "true", text: `✓ ${t("verifyValid", { n: v.events })}` })
    : h("p", {
        class: "verify invalid",
        "data-verified": "false",
        text: `✗ ${t("verifyInvalid", { version: v.first_invalid_version, reason: v.reason })}`,
      });
}

function timeline(events, names, people) {
  return table({
    caption: t("timelineCaption"),
    columns: [
      { label: t("version"), value: (e) => String(e.version) },
      { label: t("eventType"), value: (e) => term("event", e.type) },
      { label: t("businessTime"), value: (e) => dateTime(businessTime(e)) },
      { label: t("recordedAt"), value: (e) => dateTime(e.recorded_at) },
      { label: t("actor"), value: (e) => actorText(e.actor, people) },
      { label: t("details"), value: (e) => detail(e, names) },
    ],
    rows: events,
  });
}

export async function renderCase(container, { api, id, names, backHref, focus }) {
  const path = `cases/${encodeURIComponent(id)}`;
  const [state, history, verify] = await Promise.allSettled([
    api.get(path),
    api.get(`${path}/history`),
    api.get(`${path}/verify`),
  ]);
  const back = h(
    "p",
    {},
    h("a", { href: backHref, class: "back", text: `← ${t("back")}` }),
    " · ",
    h("a", { href: `/workbench#/cases/${encodeURIComponent(id)}`, class: "workbench", text: t("openInWorkbench") }),
  );
  if (state.status !== "fulfilled") {
    if (state.reason?.status === 401) throw state.reason;
    replace(container, back, h("h2", { id: "case-title", tabindex: "-1", text: t("caseMissing") }));
    if (focus) container.querySelector("h2").focus();
    return;
  }
  const current = state.value.body;
  const events = history.status === "fulfilled" ? history.value.body.events : [];
  const people = await userNames(api, events.map((e) => e.actor?.login));
  replace(
    container,
    back,
    h("h2", { id: "case-title", tabindex: "-1", text: t("caseTitle", { number: current.number }) }),
    h(
      "div",
      { class: "grid" },
      h("section", { class: "panel", "aria-labelledby": "case-state-title" },
        h("h3", { id: "case-state-title", text: t("caseState") }), stateList(current, names)),
      h("section", { class: "panel", "aria-labelledby": "case-verify-title" },
        h("h3", { id: "case-verify-title", text: t("verification") }), verification(verify)),
    ),
    h("section", { class: "panel", "aria-labelledby": "case-timeline-title" },
      h("h3", { id: "case-timeline-title", text: t("timeline") }), timeline(events, names, people)),
  );
  if (focus) container.querySelector("h2").focus();
}
