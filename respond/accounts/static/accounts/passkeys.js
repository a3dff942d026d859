// Starts allauth's passkey forms (mfa/js/webauthn.js) from data attributes, since the CSP allows no inline script.
//
// <div data-passkey="add|authenticate" data-passkey-options="{JSON from the server}" hidden> holds the form, shown
// only when the browser can use passkeys. [data-passkey-fallback] explains what to do instead, until then.
const webauthn = window.allauth?.webauthn;
const supported = Boolean(webauthn && window.webauthnJSON?.supported());

const showError = (container, message) => {
  const error = container.querySelector("[data-passkey-error]");
  error.querySelector("[data-passkey-error-text]").textContent = message;
  error.hidden = false;
  error.focus();
};

const messageFor = (exception) => {
  if (exception?.name === "InvalidStateError") {
    return "This passkey is already added to your account.";
  }
  if (exception?.name === "NotAllowedError" || exception?.name === "AbortError") {
    return "Your passkey was not used: it was cancelled, or it took too long. Try again.";
  }
  return "Your passkey could not be used. Try again, or use another way.";
};

for (const container of supported ? document.querySelectorAll("[data-passkey]") : []) {
  const kind = container.dataset.passkey;
  const form = container.querySelector("form");
  const button = container.querySelector("[data-passkey-button]");
  const credential = form.querySelector("input[name=credential]");
  const data = JSON.parse(container.dataset.passkeyOptions);
  if (kind === "add") {
    webauthn.forms.addForm({ data, ids: { credential: credential.id, add: button.id } });
    // Enter in the name field submits the form: start the passkey ceremony instead of posting no passkey.
    form.addEventListener("submit", (event) => {
      if (!credential.value) {
        event.preventDefault();
        button.click();
      }
    });
  } else {
    webauthn.forms.authenticateForm({ data, ids: { credential: credential.id, authenticate: button.id } });
  }
  container.hidden = false;
  for (const fallback of document.querySelectorAll("[data-passkey-fallback]")) {
    fallback.hidden = true;
  }
  document.addEventListener("allauth.error", (event) => {
    // Handled here, so allauth does not log it to the console as well.
    event.preventDefault();
    showError(container, messageFor(event.detail.exception));
  });
}
