// Each command's form, which of them a case's state allows this user, and the body it sends.
// Forms are <form data-command="..."> with inputs named by the API body's field paths.
import { h, replace } from "./dom.js";
import { checkboxes, codes, field, formStatus, submitButton } from "./forms.js";
import { language, t } from "./i18n.js";
import { routeChoice } from "./routing.js";

const METHODS = ["in_person", "phone", "video"];
const LEVELS = ["none", "yellow", "orange", "red"];
const OUTCOMES = ["agreement", "no_agreement", "withdrawn"];
const REFERRALS = ["litigation", "arbitration", "administrative", "other"];
const FULFILMENTS = ["fulfilled", "partial", "unfulfilled"];
const KINDS = ["agreement_signed", "evidence", "referral", "ruling", "other"];
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
const CHANNELS = ["walk_in", "hotline", "online", "court_referral", "police_referral", "petition_referral", "grid_worker", "enterprise"];
const OPEN = ["received", "routed", "in_mediation"];
const ASSIGNED = ["routed", "in_mediation"];
const JUDICIAL_DAYS = 30;

/** A category's or subcategory's label in the reader's language (English capitalised). */
export function label(item) {
  return language() === "zh" ? item.zh : item.en.charAt(0).toUpperCase() + item.en.slice(1);
}

// -- who may do what (the server decides; this only offers the forms that can succeed) --------

function assigned(me, c) {
  return me.role === "mediator" && c.mediator !== null && c.mediator === me.mediator;
}

/** Who may write the case (attach documents): a supervisor, or a mediator who reaches it. */
function writer(me, c) {
  if (me.role === "supervisor") return true;
  if (me.role !== "mediator") return false;
  return c.mediator ? c.mediator === me.mediator : c.received_by?.login === me.login;
}

/** A resolved case's written agreement, still without its signed copy in the file. */
export function awaitsSignedAgreement(c) {
  const signed = (c.documents || []).some((d) => d.kind === "agreement_signed" && !d.withdrawn_at);
  return c.status === "resolved" && c.agreement?.form === "written" && !signed;
}

function handler(me, c) {
  if (me.role === "supervisor") return true;
  if (c.status === "received") return me.role === "mediator" && c.received_by?.login === me.login;
  return assigned(me, c);
}

/** The commands this user may give on this case now, in the order a mediator needs them. */
export function allowed(me, c) {
  if (me.role !== "mediator" && me.role !== "supervisor") return [];
  const open = OPEN.includes(c.status);
  const list = [];
  if (assigned(me, c) && ASSIGNED.includes(c.status)) list.push("session");
  if (me.role === "supervisor" && open) list.push("route");
  if (open && handler(me, c)) list.push("resolution");
  if (handler(me, c) && open) list.push("risk");
  if (ASSIGNED.includes(c.status) && !c.extended && (assigned(me, c) || me.role === "supervisor")) list.push("extension");
  if (open && handler(me, c)) list.push("correction");
  if (c.status === "resolved" && c.outcome === "agreement" && assigned(me, c)) {
    list.push("follow-up");
    if (c.agreement?.form === "written" && !c.judicial_ruling) {
      const deadline = new Date(c.resolved_at).getTime() + JUDICIAL_DAYS * 86400000;
      if (c.judicial_applied_at || Date.now() <= deadline) list.push("judicial-confirmation");
    }
  }
  if (writer(me, c)) list.push("document");
  return list;
}

/** The outcomes this user may resolve with: an agreement or not only when in mediation. */
function outcomes(me, c) {
  if (c.status === "in_mediation" && assigned(me, c)) return OUTCOMES;
  return ["withdrawn"];
}

// -- the forms -------------------------------------------------------------------------------

function shell(command, title, ...children) {
  return h(
    "form",
    { "data-command": command, class: "command", novalidate: false, "aria-label": title },
    children,
    formStatus(),
    submitButton(t("submit")),
  );
}

export function categoryFields(reference, values = {}, prefix = "") {
  const categories = reference.categories;
  const category = field(`${prefix}category`, t("category"), {
    kind: "select",
    required: true,
    options: [["", t("choose")], ...categories.map((c) => [c.code, label(c)])],
    value: values.category ?? "",
  });
  const sub = field(`${prefix}subcategory`, t("subcategory"), { kind: "select", options: [["", t("none")]] });
  const categorySelect = category.querySelector("select");
  const subSelect = sub.querySelector("select");
  const fill = () => {
    const chosen = categories.find((c) => c.code === categorySelect.value);
    const keep = subSelect.value || values.subcategory || "";
    replace(subSelect,
      h("option", { value: "" }, t("none")),
      (chosen?.subcategories || []).map((s) => h("option", { value: s.code }, label(s))),
    );
    subSelect.value = chosen?.subcategories.some((s) => s.code === keep) ? keep : "";
  };
  categorySelect.addEventListener("change", fill);
  fill();
  return [category, sub];
}

export function streetField(reference, value = "", name = "street") {
  return field(name, t("street"), {
    kind: "select",
    required: true,
    options: [["", t("choose")], ...reference.streets.map((s) => [s, s])],
    value,
  });
}

export function channelField(value = "", name = "channel") {
  return field(name, t("channel"), { kind: "select", required: true, options: codes("channel", CHANNELS, { empty: t("choose") }), value });
}

/** The parties' rows: parties.N.role, .name, .phone, .id_number; rows can be added and removed. */
export function partiesFieldset(parties) {
  const rows = h("div", { class: "party-rows" });
  const fieldset = h("fieldset", { class: "parties", name: "parties" }, h("legend", {}, t("parties")), rows);
  const renumber = () => {
    [...rows.children].forEach((row, i) => {
      row.querySelector("legend").textContent = t("party", { n: i + 1 });
      for (const control of row.querySelectorAll("[data-part]")) control.name = `parties.${i}.${control.dataset.part}`;
      const remove = row.querySelector("button.remove");
      remove.setAttribute("aria-label", t("removeParty", { n: i + 1 }));
      remove.hidden = rows.children.length <= 2;
    });
  };
  const addRow = (party = {}) => {
    const parts = [
      field("role", t("partyRole"), { kind: "select", required: true, options: codes("partyRole", ["applicant", "respondent"]), value: party.role || "applicant" }),
      field("name", t("partyName"), { required: true, value: party.name || "", attrs: { autocomplete: "off", maxlength: 100 } }),
      field("phone", t("partyPhone"), { kind: "tel", value: party.phone || "" }),
      field("id_number", t("partyId"), { value: party.id_number || "", attrs: { autocomplete: "off" } }),
    ];
    parts.forEach((part, i) => {
      part.querySelector("input, select").dataset.part = ["role", "name", "phone", "id_number"][i];
    });
    const row = h(
      "fieldset",
      { class: "party" },
      h("legend", {}),
      parts,
      h("button", { type: "button", class: "link-button remove", onclick: () => { row.remove(); renumber(); } }, "✕"),
    );
    rows.append(row);
    renumber();
    return row;
  };
  const list = parties?.length ? parties : [{ role: "applicant" }, { role: "respondent" }];
  list.forEach((party) => addRow(party));
  /** As many rows as `count` parties need (an outbox item's, to correct it). */
  fieldset.ensureRows = (count) => {
    while (rows.children.length < count) addRow({ role: "respondent" });
  };
  fieldset.append(
    h("button", { type: "button", class: "link-button add", onclick: () => addRow({ role: "respondent" }).querySelector("input").focus() }, t("addParty")),
  );
  return fieldset;
}

export function receiveForm(reference) {
  return shell(
    "receive",
    t("receiveTitle"),
    categoryFields(reference),
    streetField(reference),
    channelField(),
    field("summary", t("summary"), { kind: "textarea", required: true }),
    partiesFieldset(),
    field("claim_amount", t("claimAmount"), { kind: "money" }),
    field("received_at", t("receivedAt"), { kind: "time" }),
  );
}

/** The route form; `advise()` reads the routing suggestion when the form is first opened
 * (`form.ask()`, routing.js). */
function routeForm(c, reference, advise) {
  const override = overrideField();
  const choice = routeChoice(c, reference, override, advise);
  const form = shell(
    "route",
    t(c.mediator ? "form.reroute" : "form.route"),
    choice.fields,
    override, // next to the mediator: it opens when one who may be overridden is chosen
    // The first routing sets the deadline; a re-routing keeps it (only an extension moves it).
    c.due_at ? null : field("due_at", t("dueAt"), { kind: "time" }),
    field("note", t("note"), { kind: "textarea" }),
  );
  form.ask = advise ? choice.ask : () => {};
  return form;
}

/** Shown only when the server says the mediator cannot take the case but a supervisor may
 * route anyway (a category they do not take, an absence): why, recorded with the routing. */
function overrideField() {
  const box = field("override_reason", t("overrideReason"), { kind: "textarea", hint: t("overrideHint") });
  box.hidden = true;
  box.dataset.override = "true";
  return box;
}

function sessionForm(c) {
  return shell(
    "session",
    t("form.session"),
    field("method", t("method"), { kind: "select", required: true, options: codes("method", METHODS), value: "in_person" }),
    checkboxes("attendees", t("attendees"), c.parties.map((p) => p.name)),
    field("notes", t("notes"), { kind: "textarea", required: true }),
    field("duration_minutes", t("duration"), { kind: "number", attrs: { min: 1, max: 1440 } }),
    field("held_at", t("heldAt"), { kind: "time" }),
  );
}

function riskForm(c) {
  return shell(
    "risk",
    t("form.risk"),
    field("level", t("level"), { kind: "select", required: true, options: codes("level", LEVELS), value: c.risk_level || "none" }),
    field("reason", t("reason"), { kind: "textarea", required: true }),
    field("assessed_at", t("assessedAt"), { kind: "time" }),
  );
}

function extensionForm() {
  return shell(
    "extension",
    t("form.extension"),
    field("new_due_at", t("newDueAt"), { kind: "time", required: true }),
    field("reason", t("reason"), { kind: "textarea", required: true }),
    field("parties_consent", t("partiesConsent"), { kind: "checkbox", required: true }),
    field("extended_at", t("extendedAt"), { kind: "time" }),
  );
}

function correctionForm(c, reference) {
  return shell(
    "correction",
    t("form.correction"),
    h("p", { class: "hint" }, t("correctionHelp")),
    field("reason", t("reason"), { kind: "textarea", required: true }),
    categoryFields(reference, c),
    streetField(reference, c.street),
    channelField(c.channel),
    field("summary", t("summary"), { kind: "textarea", required: true, value: c.summary }),
    partiesFieldset(c.parties),
    field("claim_amount", t("claimAmount"), { kind: "money", value: c.claim_amount || "" }),
    field("corrected_at", t("correctedAt"), { kind: "time" }),
  );
}

function resolutionForm(me, c) {
  const offered = outcomes(me, c);
  const outcome = field("outcome", t("outcome"), { kind: "select", required: true, options: codes("outcome", offered), value: offered[0] });
  const agreement = h(
    "div",
    { class: "group", "data-when": "agreement" },
    field("agreement.form", t("agreementForm"), { kind: "select", required: true, options: codes("form", ["written", "oral"]), value: "written" }),
    field("agreement.amount", t("agreementAmount"), { kind: "money" }),
    field("agreement.terms", t("agreementTerms"), { kind: "textarea", required: true }),
    field("agreement.performance", t("agreementPerformance"), { kind: "textarea" }),
    field("agreement.perform_by", t("agreementPerformBy"), { kind: "time" }),
  );
  const referral = h(
    "div",
    { class: "group", "data-when": "no_agreement" },
    field("referral", t("referral"), { kind: "select", required: true, options: codes("referral", REFERRALS, { empty: t("choose") }) }),
  );
  const select = outcome.querySelector("select");
  const show = () => {
    for (const group of [agreement, referral]) {
      const on = group.dataset.when === select.value;
      group.hidden = !on;
      for (const control of group.querySelectorAll("input, select, textarea")) control.disabled = !on;
    }
  };
  select.addEventListener("change", show);
  show();
  const title = offered.length === 1 ? t("form.withdraw") : t("form.resolution");
  return shell(
    "resolution",
    title,
    outcome,
    agreement,
    referral,
    field("note", t("note"), { kind: "textarea" }),
    field("resolved_at", t("resolvedAt"), { kind: "time" }),
  );
}

function followUpForm() {
  return shell(
    "follow-up",
    t("form.follow-up"),
    field("fulfilment", t("fulfilment"), { kind: "select", required: true, options: codes("fulfilment", FULFILMENTS, { empty: t("choose") }) }),
    field("satisfaction", t("satisfaction"), {
      kind: "select",
      required: true,
      options: [["", t("choose")], ...["5", "4", "3", "2", "1"].map((n) => [n, n])],
      attrs: { "data-type": "int" },
    }),
    field("note", t("note"), { kind: "textarea" }),
    field("visited_at", t("visitedAt"), { kind: "time" }),
  );
}

function judicialForm(c) {
  if (!c.judicial_applied_at) {
    return shell("judicial-confirmation", t("form.judicial-confirmation"), field("applied_at", t("appliedAt"), { kind: "time" }));
  }
  return shell(
    "judicial-confirmation",
    t("form.judicial-ruling"),
    field("ruling", t("ruling"), { kind: "select", required: true, options: codes("ruling", ["confirmed", "rejected"], { empty: t("choose") }) }),
    field("ruled_at", t("ruledAt"), { kind: "time" }),
  );
}

/** A document for the case file: a photo or scan (PDF, JPEG, PNG), its kind and title. After a
 * written agreement the signed agreement is what is expected first. */
function documentForm(c) {
  const signed = awaitsSignedAgreement(c);
  const initial = signed ? "agreement_signed" : "evidence";
  const kind = field("kind", t("documentKind"), { kind: "select", required: true, options: codes("kind", KINDS), value: initial });
  const title = field("title", t("documentTitle"), { required: true, value: signed ? t("kind.agreement_signed") : "", attrs: { maxlength: 100 } });
  const kindSelect = kind.querySelector("select");
  const titleInput = title.querySelector("input");
  let offered = titleInput.value;
  kindSelect.addEventListener("change", () => {
    if (titleInput.value === "" || titleInput.value === offered) {
      offered = kindSelect.value === "other" ? "" : t(`kind.${kindSelect.value}`);
      titleInput.value = offered;
    }
  });
  return shell(
    "document",
    t("form.document"),
    field("file", t("documentFile"), {
      kind: "file",
      required: true,
      hint: t("documentFileHint"),
      attrs: { accept: "application/pdf,image/jpeg,image/png" },
    }),
    kind,
    title,
    field("attached_at", t("attachedAt"), { kind: "time" }),
  );
}

/** The heading of a command's section on a case page. */
export function commandTitle(command, c, me) {
  if (command === "route") return t(c.mediator ? "form.reroute" : "form.route");
  if (command === "resolution") return outcomes(me, c).length === 1 ? t("form.withdraw") : t("form.resolution");
  if (command === "judicial-confirmation" && c.judicial_applied_at) return t("form.judicial-ruling");
  return t(`form.${command}`);
}

export function commandForm(command, me, c, reference, { advise = null } = {}) {
  switch (command) {
    case "route": return routeForm(c, reference, advise);
    case "session": return sessionForm(c);
    case "risk": return riskForm(c);
    case "extension": return extensionForm();
    case "correction": return correctionForm(c, reference);
    case "resolution": return resolutionForm(me, c);
    case "follow-up": return followUpForm();
    case "judicial-confirmation": return judicialForm(c);
    case "document": return documentForm(c);
    default: throw new Error(`no form for ${command}`);
  }
}

const PATHS = {
  receive: () => "/api/v1/cases",
  route: (id) => `/api/v1/cases/${id}/route`,
  session: (id) => `/api/v1/cases/${id}/sessions`,
  risk: (id) => `/api/v1/cases/${id}/risk`,
  extension: (id) => `/api/v1/cases/${id}/extension`,
  correction: (id) => `/api/v1/cases/${id}/corrections`,
  resolution: (id) => `/api/v1/cases/${id}/resolution`,
  "follow-up": (id) => `/api/v1/cases/${id}/follow-ups`,
  "judicial-confirmation": (id) => `/api/v1/cases/${id}/judicial-confirmation`,
  document: (id) => `/api/v1/cases/${id}/documents`,
  "document-withdrawal": (id) => `/api/v1/cases/${id}/documents/withdrawals`,
};

/** The business time each command takes: left empty, it is the moment the step was entered. */
export const BUSINESS_TIME = {
  receive: ["received_at"],
  route: ["routed_at"],
  session: ["held_at"],
  risk: ["assessed_at"],
  extension: ["extended_at"],
  correction: ["corrected_at"],
  resolution: ["resolved_at"],
  "follow-up": ["visited_at"],
  "judicial-confirmation": ["applied_at", "ruled_at"],
  document: ["attached_at"],
  "document-withdrawal": ["withdrawn_at"],
};

export function pathOf(command, caseId) {
  return PATHS[command](caseId);
}

/** A correction names only what changed (the API keeps what a correction omits). */
export function correctionBody(body, c) {
  const changed = { reason: body.reason };
  if (body.corrected_at) changed.corrected_at = body.corrected_at;
  for (const name of ["category", "street", "channel", "summary"]) {
    if (body[name] !== undefined && body[name] !== c[name]) changed[name] = body[name];
  }
  if ((body.subcategory ?? null) !== (c.subcategory ?? null)) changed.subcategory = body.subcategory ?? null;
  const amount = body.claim_amount ?? null;
  if (amount !== null ? Number(amount) !== Number(c.claim_amount) : c.claim_amount !== null) changed.claim_amount = amount;
  const same = (a, b) => (a ?? null) === (b ?? null);
  const parties = body.parties || [];
  const partiesChanged =
    parties.length !== c.parties.length ||
    parties.some((p, i) => ["role", "name", "phone", "id_number"].some((k) => !same(p[k], c.parties[i][k])));
  if (partiesChanged) changed.parties = parties;
  return changed;
}

