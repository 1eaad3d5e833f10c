// segflow's web embed: a published flow's chat on any page, as a floating bubble, a popup,
// or inline in a container. No build step: load it as a module.
//
//   <script type="module" src="https://chat.example.com/embed/segflow.js"
//           data-flow="lead-capture" data-mode="bubble"></script>
//
//   import { bubble, inline, popup } from "https://chat.example.com/embed/segflow.js";
//   bubble({ flow: "lead-capture" });
//   inline({ flow: "lead-capture", target: "#chat" });
//   const chat = popup({ flow: "lead-capture" }); chat.open();
//
// Options: flow (required), apiHost (default: this script's origin), remember ("local",
// "session" or "none"), title (default "Chat"), open (bubble: start opened), target (inline).

import { Chat } from "./chat.js";
import { h, uniqueId } from "./dom.js";

const HERE = new URL(import.meta.url);
const STYLESHEET = new URL("./segflow.css", import.meta.url).href;
const DEFAULT_TITLE = "Chat";

export function bubble(options) {
  const settings = read(options);
  const { host, root } = shadowHost("segflow-bubble");
  const chat = new Chat(settings);
  const panelId = uniqueId("panel");
  const titleId = uniqueId("title");
  const launcher = h("button", {
    type: "button", class: "segflow-launcher", "aria-expanded": "false", "aria-controls": panelId,
    "aria-label": settings.title, // its state is aria-expanded's
  }, chatIcon());
  const panel = h("div", { id: panelId, class: "segflow-panel", role: "dialog", "aria-labelledby": titleId, hidden: true },
    header(titleId, settings.title, () => close()), chat.element);
  const open = () => {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    chat.begin().then(() => chat.focus());
    chat.focus();
  };
  const close = () => {
    if (panel.hidden) return;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  };
  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  root.append(h("div", { class: "segflow-chat segflow-bubble-frame" }, panel, launcher));
  document.body.append(host);
  if (settings.open) open();
  return { element: host, chat, open, close, toggle: () => (panel.hidden ? open() : close()), destroy: () => host.remove() };
}

export function popup(options) {
  const settings = read(options);
  const { host, root } = shadowHost("segflow-popup");
  const chat = new Chat(settings);
  const titleId = uniqueId("title");
  const dialog = h("dialog", { class: "segflow-chat segflow-popup-dialog", "aria-labelledby": titleId },
    header(titleId, settings.title, () => dialog.close()), chat.element);
  let returnFocus = null;
  const open = () => {
    if (dialog.open) return;
    returnFocus = document.activeElement;
    dialog.showModal();
    chat.begin().then(() => chat.focus());
    chat.focus();
  };
  // Escape closes a modal <dialog> by itself; either way focus goes back where it was.
  dialog.addEventListener("close", () => returnFocus?.focus?.());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
  root.append(dialog);
  document.body.append(host);
  if (settings.open) open();
  return { element: host, chat, open, close: () => dialog.close(), toggle: () => (dialog.open ? dialog.close() : open()), destroy: () => host.remove() };
}

export function inline(options) {
  const settings = read(options);
  const target = typeof options.target === "string" ? document.querySelector(options.target) : options.target;
  if (!(target instanceof Element)) {
    throw new Error(`segflow: inline needs a target element; "${options.target}" matches none on this page`);
  }
  const { host, root } = shadowHost("segflow-inline");
  const chat = new Chat(settings);
  const titleId = uniqueId("title");
  root.append(h("section", { class: "segflow-chat segflow-inline-frame", "aria-labelledby": titleId },
    header(titleId, settings.title), chat.element));
  target.append(host);
  chat.begin();
  return { element: host, chat, destroy: () => host.remove() };
}

function read(options = {}) {
  if (!options.flow) throw new Error("segflow: say which flow to chat with (data-flow, or the flow option)");
  return {
    flow: String(options.flow),
    apiHost: options.apiHost || HERE.origin,
    remember: options.remember || "local",
    title: options.title || DEFAULT_TITLE,
    open: options.open === true || options.open === "true",
  };
}

// The chat lives in a shadow root, so the page's styles do not reach it; the page themes it
// with CSS custom properties (--segflow-*), which do. It shows once its stylesheet is in.
function shadowHost(className) {
  const host = h("div", { class: `segflow ${className}` });
  const shadow = host.attachShadow({ mode: "open" });
  const content = h("div", { class: "segflow-root", hidden: true });
  const show = () => content.removeAttribute("hidden");
  shadow.append(h("link", { rel: "stylesheet", href: STYLESHEET, onload: show, onerror: show }), content);
  return { host, root: content };
}

function header(titleId, title, close) {
  return h("div", { class: "segflow-header" },
    h("p", { id: titleId, class: "segflow-title" }, title),
    close && h("button", { type: "button", class: "segflow-close", "aria-label": `Close ${title}`, onclick: close }, "×"));
}

function chatIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  svg.append(path);
  return svg;
}

// <script type="module" src=".../segflow.js" data-flow="..." data-mode="bubble|popup|inline">:
// each such tag loading this very file starts its chat once.
const MODES = { bubble, popup, inline };

for (const script of document.querySelectorAll("script[data-flow]")) {
  if (!script.src || new URL(script.src, location.href).href !== HERE.href || script.dataset.segflowStarted) continue;
  script.dataset.segflowStarted = "true";
  const data = script.dataset;
  const mode = MODES[data.mode || "bubble"];
  if (!mode) {
    console.error(`segflow: data-mode must be bubble, popup or inline, not "${data.mode}"`);
    continue;
  }
  let target = data.target;
  if (mode === inline && !target) {
    target = h("div", { class: "segflow-inline-container" });
    script.before(target);
  }
  const options = { flow: data.flow, apiHost: data.apiHost, remember: data.remember, title: data.title, open: data.open, target };
  try {
    const chat = mode(options);
    if (mode === popup && data.trigger) {
      document.querySelectorAll(data.trigger).forEach((element) => element.addEventListener("click", () => chat.open()));
    } else if (mode === popup && data.open === undefined) {
      chat.open();
    }
  } catch (error) {
    console.error(error.message);
  }
}
