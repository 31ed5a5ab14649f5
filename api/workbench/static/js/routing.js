// The route form's organisation and mediator: the routing suggestion preselected, and each
// mediator of the chosen organisation with their open cases and whether they can take the case.
// The server judges every routing (domain/eligibility.py); the marks here are a hint, in the
// same reasons and order: deactivated, does not take the category, away.
import { ApiError } from "./api.js";
import { h, replace } from "./dom.js";
import { field } from "./forms.js";
import { t } from "./i18n.js";
import { dateTime } from "./time.js";

const OVERRIDABLE = ["category_not_taken", "away"];

/** Where a case not routed yet most likely goes: its street's mediation room. */
function homeRoom(organisations, street) {
  return organisations.find((o) => o.street === street && o.kind === "street_room")?.code || "";
}

/** Why `detail` (a mediator as `/api/v1/mediators` gives them) cannot take a case of
 * `category` now, or null: the first reason, as the server judges them. */
export function ineligibility(detail, category, now = Date.now()) {
  if (!detail.active) return { code: "deactivated", overridable: false };
  if (Array.isArray(detail.categories) && !detail.categories.includes(category)) {
    return { code: "category_not_taken", overridable: true };
  }
  for (const absence of detail.absences || []) {
    if (new Date(absence.from).getTime() <= now && now < new Date(absence.to).getTime()) {
      return { code: "away", overridable: true, until: absence.to, why: absence.reason };
    }
  }
  return null;
}

function reasonWords(reason) {
  if (reason.code === "away") return t("ineligible.awayUntil", { until: dateTime(reason.until), why: reason.why });
  if (reason.code === "other") return reason.text; // the server's own words
  return t(`ineligible.${reason.code}`);
}

/**
 * The organisation and mediator fields, the suggestion's line above them, and the override
 * field opened as soon as a mediator who may be overridden is chosen. `advise()` reads the
 * suggestion, the mediators' details and their workload (rejects when it cannot).
 */
export function routeChoice(c, reference, override, advise) {
  const organisations = reference.organisations;
  const orgName = (code) => organisations.find((o) => o.code === code)?.name || code;
  let workload = reference.workload;
  let details = null; // code -> the mediator's categories, absences, active (once read)
  let suggestion = null;
  let touched = false; // the supervisor chose something: the suggestion no longer moves it
  const line = h("p", { class: "suggestion", "aria-live": "polite", hidden: true });
  const org = field("organisation", t("organisation"), {
    kind: "select",
    required: true,
    options: [["", t("choose")], ...organisations.map((o) => [o.code, `${o.name}（${o.street}）`])],
    value: c.organisation || homeRoom(organisations, c.street),
  });
  const med = field("mediator", t("mediator"), { kind: "select", required: true, options: [["", t("choose")]] });
  const notes = h("div", { class: "mediator-notes", "data-mediator-notes": "true", hidden: true });
  const orgSelect = org.querySelector("select");
  const medSelect = med.querySelector("select");
  const overrideHint = override.querySelector(".hint");
  const overrideText = overrideHint?.textContent || "";

  /** Each mediator of the organisation: open cases (the suggestion's count where it has one)
   * and why they cannot take the case, if so. */
  const mediatorsOf = (code) => {
    const candidates = suggestion?.organisation === code ? suggestion.candidates : [];
    return workload
      .filter((m) => m.organisation === code && (details || m.active))
      .map((m) => {
        const candidate = candidates.find((x) => x.mediator === m.code);
        const detail = details?.[m.code];
        let reason = detail ? ineligibility(detail, c.category) : m.active ? null : { code: "deactivated", overridable: false };
        if (candidate?.eligible) reason = null; // the server's judgement stands
        else if (candidate && !reason) reason = { code: "other", overridable: false, text: candidate.reason || "" };
        return { ...m, open_cases: candidate ? candidate.open_cases : m.open_cases, reason };
      });
  };

  const showOverride = () => {
    const chosen = medSelect.selectedOptions[0];
    const open = chosen?.dataset.overridable === "true";
    if (open) {
      override.hidden = false;
      if (overrideHint) overrideHint.textContent = t("overrideHintChosen", { why: chosen.dataset.why });
    } else {
      override.hidden = true;
      if (overrideHint) overrideHint.textContent = overrideText;
    }
  };
  const form = () => orgSelect.form || {};

  const fill = () => {
    const keep = medSelect.value || c.mediator || "";
    const here = mediatorsOf(orgSelect.value);
    replace(medSelect,
      h("option", { value: "" }, t("choose")),
      here.map((m) => {
        const words = [m.name, t("openCases", { open: m.open_cases, overdue: m.overdue })];
        if (m.code === suggestion?.mediator) words.push(t("suggested"));
        if (m.code === c.mediator) words.push(t("currentMediator"));
        if (m.reason) words.push(`✕ ${reasonWords(m.reason)}`);
        return h("option", {
          value: m.code,
          disabled: Boolean(m.reason && !m.reason.overridable),
          dataset: {
            eligible: m.reason ? "false" : "true",
            reason: m.reason?.code || "",
            overridable: m.reason?.overridable ? "true" : "false",
            why: m.reason ? reasonWords(m.reason) : "",
          },
        }, words.join(" · "));
      }),
    );
    const barred = here.filter((m) => m.reason);
    notes.hidden = barred.length === 0;
    replace(notes,
      h("p", {}, t("cannotTake")),
      h("ul", {}, barred.map((m) => h("li", { dataset: { mediator: m.code, reason: m.reason.code } },
        t("barredLine", { name: m.name, reason: reasonWords(m.reason), note: m.reason.overridable ? t("overridableNote") : "" })))),
    );
    const keepable = here.find((m) => m.code === keep);
    medSelect.value = keepable && !(keepable.reason && !keepable.reason.overridable) ? keep : "";
    showOverride();
  };

  const say = (state, text) => {
    line.hidden = false;
    line.dataset.suggestion = state;
    line.textContent = text;
  };

  const apply = (found) => {
    suggestion = found;
    const fixing = Boolean(form().dataset?.fixing);
    if (found.organisation && found.mediator) {
      const candidate = found.candidates.find((x) => x.mediator === found.mediator);
      const name = workload.find((m) => m.code === found.mediator)?.name || found.mediator;
      say("ready", t("suggestion", { rule: found.rule, organisation: orgName(found.organisation), mediator: name, open: candidate?.open_cases ?? 0 }));
    } else if (found.organisation) {
      say("none", t("suggestionNoMediator", { rule: found.rule, organisation: orgName(found.organisation) }));
    } else if (found.rule) {
      say("none", t("suggestionNoOrganisation", { rule: found.rule, street: c.street }));
    } else {
      say("none", t("suggestionNoRule"));
    }
    if (!touched && !fixing) {
      if (found.organisation) orgSelect.value = found.organisation;
      else if (!c.organisation) orgSelect.value = "";
      fill();
      if (found.mediator) medSelect.value = found.mediator;
      else if (!c.mediator) medSelect.value = "";
      showOverride();
    } else {
      fill();
    }
  };

  let asked = false;
  /** Reads the suggestion once, when the form is first opened. */
  const ask = async () => {
    if (asked) return;
    asked = true;
    if (!navigator.onLine) {
      say("offline", t("suggestionOffline"));
      return;
    }
    say("loading", t("suggestionLoading"));
    try {
      const { suggestion: found, mediators, workload: counted } = await advise();
      details = Object.fromEntries(mediators.map((m) => [m.code, m]));
      if (counted) workload = counted;
      apply(found);
    } catch (error) {
      if (error instanceof ApiError) say("failed", t("suggestionFailed", { message: error.message }));
      else say("offline", t("suggestionOffline")); // no connection: choose as before
      fill();
    }
  };

  orgSelect.addEventListener("change", () => {
    touched = true;
    fill();
  });
  medSelect.addEventListener("change", () => {
    touched = true;
    showOverride();
  });
  fill();
  return { fields: [line, org, med, notes], ask };
}
