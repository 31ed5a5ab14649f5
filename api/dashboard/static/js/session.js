// The token: asked for once, kept in sessionStorage only (gone when the tab closes).
import { ApiError, createApi, problemText } from "./api.js";
import { t } from "./i18n.js";

const KEY = "tongjie.token";

export function storedToken() {
  return sessionStorage.getItem(KEY);
}

export function forget() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem("tongjie.workbench.token"); // the workbench, signed in with it in this tab
}

function message(error) {
  if (error instanceof ApiError && error.status === 401) return t("tokenInvalid");
  if (error instanceof ApiError && error.status === 403) return t("roleForbidden");
  if (error instanceof ApiError) return problemText(error, t("unreachable"));
  return t("unreachable");
}

/** Checks a token against the API (a statistics read needs a supervisor or an auditor). */
async function check(token) {
  await createApi(token).get("stats/summary");
}

/** Wires the form; `onSignedIn(token)` runs once a token proves good. */
export function wireSignIn(form, onSignedIn) {
  const error = form.querySelector("#sign-in-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = form.elements.namedItem("token");
    const token = input.value.trim();
    if (!token) return;
    error.textContent = "";
    form.setAttribute("aria-busy", "true");
    try {
      await check(token);
    } catch (failure) {
      error.textContent = message(failure);
      input.setAttribute("aria-invalid", "true");
      input.select();
      return;
    } finally {
      form.removeAttribute("aria-busy");
    }
    input.value = "";
    input.removeAttribute("aria-invalid");
    sessionStorage.setItem(KEY, token);
    onSignedIn(token);
  });
}
