// Modal dialogs on <dialog>: a title, a body, and buttons; `ask` answers a promise.

import { h } from "./dom.js";

// actions: [{label, primary?, danger?, keepOpen?, run?: () => value | Promise}]; what `run`
// returns is what the dialog answers; a `run` that throws keeps it open and shows the error.
export function openDialog({ title, body, actions, className = "" }) {
  return new Promise((resolve) => {
    const error = h("p", { class: "dialog-error", role: "alert", hidden: true });
    const dialog = h("dialog", { class: `dialog ${className}`, "aria-label": title });
    const close = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const buttons = actions.map((action) =>
      h("button", {
        type: "button",
        class: action.primary ? "primary" : action.danger ? "danger" : "",
        onclick: async () => {
          if (!action.run) return close(null);
          try {
            error.hidden = true;
            const value = await action.run();
            if (!action.keepOpen) close(value);
          } catch (problem) {
            error.textContent = problem.message;
            error.hidden = false;
          }
        },
      }, action.label),
    );
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(null);
    });
    dialog.addEventListener("keydown", (event) => {
      const primary = buttons[actions.findIndex((action) => action.primary)];
      if (event.key === "Enter" && ["INPUT", "SELECT"].includes(event.target.tagName) && primary) {
        event.preventDefault();
        primary.click();
      }
    });
    dialog.append(h("h2", {}, title), body, error, h("div", { class: "dialog-actions" }, buttons));
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector("input, textarea, select")?.focus();
  });
}

export function askText({ title, label, value = "", action = "OK" }) {
  const input = h("input", { type: "text", value, "aria-label": label });
  const body = h("label", { class: "dialog-field" }, label, input);
  return openDialog({
    title,
    body,
    actions: [
      { label: "Cancel" },
      {
        label: action,
        primary: true,
        run: () => {
          if (!input.value.trim()) throw new Error(`${label} is required`);
          return input.value.trim();
        },
      },
    ],
  });
}

export function confirmAction({ title, message, action }) {
  return openDialog({
    title,
    body: h("p", {}, message),
    actions: [{ label: "Cancel" }, { label: action, danger: true, run: () => true }],
  });
}
