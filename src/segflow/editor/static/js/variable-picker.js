// The variable picker: a button beside a text field that inserts {{variable}} at the cursor.

import { h } from "./dom.js";

let openMenu = null;

function closeMenu() {
  openMenu?.remove();
  openMenu = null;
}

document.addEventListener("pointerdown", (event) => {
  if (openMenu && !openMenu.contains(event.target)) closeMenu();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeMenu();
});

export function insertVariable(field, name) {
  const text = `{{${name}}}`;
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? field.value.length;
  field.value = field.value.slice(0, start) + text + field.value.slice(end);
  field.focus();
  field.setSelectionRange(start + text.length, start + text.length);
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

// `context.variables()` lists the flow's variables; `context.declareVariable(name)` adds one.
export function variablePicker(field, context) {
  const button = h("button", {
    type: "button",
    class: "variable-picker",
    title: "Insert a variable",
    "aria-label": "Insert a variable {x}", // says what it does, and holds what it shows
    onclick: () => {
      closeMenu();
      openMenu = menu(field, context);
      const box = button.getBoundingClientRect();
      openMenu.style.left = `${Math.max(8, box.right - 220)}px`;
      openMenu.style.top = `${box.bottom + 4}px`;
      document.body.append(openMenu);
      openMenu.querySelector("button, input")?.focus();
    },
  }, "{x}");
  return button;
}

function menu(field, context) {
  const choose = (name) => {
    closeMenu();
    insertVariable(field, name);
  };
  const fresh = h("input", { type: "text", placeholder: "New variable", "aria-label": "New variable" });
  const create = () => {
    const name = fresh.value.trim();
    if (!name) return;
    context.declareVariable(name);
    choose(name);
  };
  fresh.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      create();
    }
  });
  return h(
    "div",
    { class: "variable-menu", role: "menu" },
    context.variables().map((name) =>
      h("button", { type: "button", role: "menuitem", onclick: () => choose(name) }, `{{${name}}}`),
    ),
    context.variables().length ? null : h("p", { class: "hint" }, "No variables yet"),
    h("div", { class: "new-variable" }, fresh, h("button", { type: "button", onclick: create }, "Add")),
  );
}
