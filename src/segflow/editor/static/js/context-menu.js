// The menu a right-click (or the menu key) opens on the canvas: Duplicate, Copy, Paste, Delete.
// Arrow keys move between its items; Escape or a click elsewhere closes it.

import { h } from "./dom.js";

let openMenu = null;

function close({ returnFocus = null } = {}) {
  openMenu?.remove();
  openMenu = null;
  returnFocus?.();
}

document.addEventListener("pointerdown", (event) => {
  if (openMenu && !openMenu.contains(event.target)) close();
});

// items: [{label, shortcut, disabled?, run}]; `restore` puts the focus back when it closes.
export function openContextMenu({ x, y, label, items, restore }) {
  close();
  const buttons = items.map((item) =>
    h("button", {
      type: "button", role: "menuitem", disabled: item.disabled,
      onclick: () => {
        close({ returnFocus: restore });
        item.run();
      },
    }, h("span", {}, item.label), h("kbd", {}, item.shortcut)));
  const menu = h("div", { class: "context-menu", role: "menu", "aria-label": label }, buttons);
  menu.addEventListener("keydown", (event) => {
    const enabled = buttons.filter((button) => !button.disabled);
    const at = enabled.indexOf(document.activeElement);
    if (event.key === "Escape") close({ returnFocus: restore });
    else if (event.key === "ArrowDown") enabled[(at + 1) % enabled.length]?.focus();
    else if (event.key === "ArrowUp") enabled[(at - 1 + enabled.length) % enabled.length]?.focus();
    else if (event.key === "Tab") close({ returnFocus: restore });
    else return;
    event.preventDefault();
    event.stopPropagation();
  });
  menu.style.left = `${Math.min(x, window.innerWidth - 200)}px`;
  menu.style.top = `${Math.min(y, window.innerHeight - 180)}px`;
  document.body.append(menu);
  buttons.find((button) => !button.disabled)?.focus();
  openMenu = menu;
}

export function contextMenuIsOpen() {
  return openMenu !== null;
}
