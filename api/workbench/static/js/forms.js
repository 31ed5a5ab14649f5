// Form pieces: labelled fields named by the API body's field paths, the body read back from
// them, and the API's problem+json shown next to the fields it names.
import { h, replace, uid } from "./dom.js";
import { t, term } from "./i18n.js";
import { fromInput, isoWithOffset } from "./time.js";

/** A labelled control. `kind`: text, textarea, select, number, money, time, checkbox, file. */
export function field(name, label, { kind = "text", required = false, options = [], value = "", hint = "", attrs = {} } = {}) {
  const id = uid(name.replace(/\W/g, "-"));
  const common = { id, name, required, "aria-required": required ? "true" : null, ...attrs };
  let control;
  if (kind === "textarea") {
    control = h("textarea", { ...common, rows: 3, maxlength: 2000 });
    control.value = value ?? "";
  } else if (kind === "select") {
    control = h("select", common, options.map(([code, text]) => h("option", { value: code }, text)));
    control.value = value ?? "";
  } else if (kind === "checkbox") {
    control = h("input", { ...common, type: "checkbox", value: "true", "data-type": "bool" });
    control.checked = Boolean(value);
    return h("div", { class: "field check" }, control, h("label", { for: id }, label, required ? " *" : ""));
  } else {
    const types = {
      text: { type: "text" },
      number: { type: "number", inputmode: "numeric", "data-type": "int" },
      money: { type: "text", inputmode: "decimal", autocomplete: "off" },
      time: { type: "datetime-local", "data-type": "time" },
      tel: { type: "tel", autocomplete: "off" },
      file: { type: "file" },
    }[kind];
    control = h("input", { ...common, ...types });
    if (kind !== "file") control.value = value ?? "";
  }
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: `field ${kind}` },
    h("label", { for: id }, label, required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null),
    control,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
  );
}

/** Options for a select of a domain's codes, in the reader's language. */
export function codes(group, values, { empty = null } = {}) {
  const options = values.map((code) => [code, term(group, code)]);
  return empty === null ? options : [["", empty], ...options];
}

/** A fieldset of checkboxes all named `name` (a list in the body). */
export function checkboxes(name, legend, values) {
  return h(
    "fieldset",
    { class: "checks", name },
    h("legend", {}, legend),
    values.map((value) => {
      const id = uid(name);
      return h("div", { class: "field check" }, h("input", { id, type: "checkbox", name, value, "data-list": "true" }), h("label", { for: id }, value));
    }),
  );
}

export function submitButton(text) {
  return h("button", { type: "submit", class: "primary" }, text);
}

/** The general message area of a form (problems that name no field). */
export function formStatus() {
  return h("div", { class: "form-status", role: "alert", "aria-live": "assertive" });
}

/**
 * The body the form describes: each named control's value at its dotted path
 * (`parties.0.name` -> {parties: [{name}]}); empty values are left out; a business time left
 * empty is the moment of entry when `now` names it.
 */
export function readBody(form, { now = [] } = {}) {
  const body = {};
  for (const control of form.elements) {
    const name = control.name;
    if (!name || control.disabled || control.tagName === "FIELDSET" || control.tagName === "BUTTON") continue;
    if (control.type === "file") continue; // sent beside the body (an upload's form data)
    if (control.closest("[hidden]")) continue;
    let value;
    if (control.dataset.list) {
      if (!control.checked) continue;
      put(body, name, [...(get(body, name) || []), control.value]);
      continue;
    }
    if (control.type === "checkbox") value = control.checked;
    else if (control.dataset.type === "int") value = control.value === "" ? null : Number(control.value);
    else if (control.dataset.type === "time") value = fromInput(control.value);
    else value = control.value.trim() === "" ? null : control.value.trim();
    if (value === null || value === undefined) continue;
    put(body, name, value);
  }
  const entered = isoWithOffset(new Date());
  for (const name of now) if (get(body, name) === undefined) put(body, name, entered);
  return compact(body);
}

function compact(value) {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  }
  return value;
}

function get(target, path) {
  return path.split(".").reduce((node, part) => (node == null ? undefined : node[part]), target);
}

function put(target, path, value) {
  const parts = path.split(".");
  let node = target;
  parts.slice(0, -1).forEach((part, i) => {
    const nextIsIndex = /^\d+$/.test(parts[i + 1]);
    node[part] ??= nextIsIndex ? [] : {};
    node = node[part];
  });
  node[parts.at(-1)] = value;
}

/** Fills a form's controls from a body (an outbox item's, to correct it). */
export function fillForm(form, body, prefix = "") {
  for (const [key, value] of Object.entries(body || {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) form.querySelector(`fieldset[name="${CSS.escape(path)}"]`)?.ensureRows?.(value.length);
    if (Array.isArray(value) && value.every((v) => typeof v !== "object")) {
      for (const box of form.querySelectorAll(`[name="${CSS.escape(path)}"][data-list]`)) box.checked = value.includes(box.value);
    } else if (value && typeof value === "object") {
      fillForm(form, value, path);
    } else {
      const control = form.elements.namedItem(path);
      if (!control || control instanceof RadioNodeList) continue;
      if (control.type === "checkbox") control.checked = Boolean(value);
      else if (control.dataset.type === "time") control.value = value ? toLocalInput(value) : "";
      else {
        control.value = value ?? "";
        control.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  }
}

function toLocalInput(iso) {
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function clearProblems(form) {
  for (const message of form.querySelectorAll(".field-error")) message.remove();
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    const described = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-error"));
    if (described.length) control.setAttribute("aria-describedby", described.join(" "));
    else control.removeAttribute("aria-describedby");
  }
  const status = form.querySelector(".form-status");
  if (status) status.replaceChildren();
}

/** The control a problem's field path names, or its nearest named ancestor path. */
function controlFor(form, path) {
  const parts = String(path || "").split(".");
  while (parts.length) {
    const name = parts.join(".");
    const found = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (found) return found;
    parts.pop();
  }
  return null;
}

/** Shows a problem+json: each error next to its field, the rest in the form's status area. */
export function showProblem(form, problem, status) {
  clearProblems(form);
  const area = form.querySelector(".form-status");
  const errors = Array.isArray(problem?.errors) ? problem.errors : [];
  const unplaced = [];
  let first = null;
  for (const error of errors) {
    const control = controlFor(form, error.field);
    if (!control) {
      unplaced.push(`${error.field}: ${error.message}`);
      continue;
    }
    const id = `${control.id || uid("c")}-error`;
    if (!control.id) control.id = id.replace(/-error$/, "");
    const message = h("p", { class: "field-error", id, dataset: { field: error.field } }, error.message);
    const holder = control.closest(".field, fieldset") || control;
    holder.append(message);
    control.setAttribute("aria-invalid", "true");
    const described = control.getAttribute("aria-describedby");
    control.setAttribute("aria-describedby", described ? `${described} ${id}` : id);
    first ??= control;
  }
  if (area) {
    const lines = errors.length ? unplaced : [problem?.detail || problem?.title || `HTTP ${status}`];
    replace(area,
      h("p", {}, t("refusedHere")),
      lines.length ? h("ul", {}, lines.map((line) => h("li", {}, line))) : null,
    );
  }
  const override = form.querySelector("[data-override]");
  if (override && problem?.overridable) {
    override.hidden = false; // the server allows an override: say why, and send again
    first = override.querySelector("textarea");
  }
  (first || area)?.focus?.();
  if (first && typeof first.scrollIntoView === "function") first.scrollIntoView({ block: "center" });
}
