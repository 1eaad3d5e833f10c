// Preview: chat with the flow's draft or published version in a side panel, with the Events
// panel beside it.

import { api } from "./api.js";
import { h } from "./dom.js";
import { EventsPanel } from "./events.js";

export class PreviewPanel {
  constructor(element, editor) {
    this.element = element;
    this.editor = editor;
    this.session = null;
    this.attempts = 0;
    this.source = h("select", { id: "preview-source", "aria-label": "Chat with", onchange: () => this.restart() },
      h("option", { value: "draft" }, "Draft"),
      h("option", { value: "published" }, "Published version"));
    this.log = h("div", { class: "chat-log", "aria-live": "polite" });
    this.input = h("div", { class: "chat-input" });
    this.events = new EventsPanel(h("section", { class: "events-panel" }));
    element.replaceChildren(
      h("header", { class: "preview-header" },
        h("h2", {}, "Preview"),
        h("label", { for: "preview-source" }, "Chat with"), this.source,
        h("button", { type: "button", onclick: () => this.restart() }, "Restart"),
        h("button", { type: "button", class: "close", "aria-label": "Close preview", onclick: () => this.close() }, "×")),
      h("div", { class: "preview-body" },
        h("section", { class: "chat" }, this.log, this.input),
        this.events.element));
  }

  get isOpen() {
    return !this.element.hidden;
  }

  open(source) {
    if (source) this.source.value = source;
    this.element.hidden = false;
    this.restart();
  }

  close() {
    this.attempts += 1;
    this.element.hidden = true;
    this.events.stop();
    this.session = null;
  }

  async restart() {
    const attempt = ++this.attempts; // a later restart wins over one still starting
    this.events.stop();
    this.session = null;
    this.log.replaceChildren();
    this.input.replaceChildren();
    const source = this.source.value;
    const ready = await this.editor.readyToPreview(source);
    if (attempt !== this.attempts) return;
    if (ready !== true) {
      this.#note(ready, "error");
      return;
    }
    try {
      const turn = await api.startPreview(this.editor.flowId, source);
      if (attempt !== this.attempts) return;
      this.session = turn.sessionId;
      this.events.follow(turn.sessionId);
      this.#turn(turn);
    } catch (error) {
      this.#note(error.message, "error");
    }
  }

  async #answer(text) {
    if (!this.session || !text.trim()) return;
    this.log.append(h("div", { class: "bubble user" }, text));
    this.input.replaceChildren();
    try {
      this.#turn(await api.answerPreview(this.session, text));
    } catch (error) {
      this.#note(error.message, "error");
    }
  }

  #turn(turn) {
    for (const message of turn.messages) {
      // The preview tells what the chat window would do, and does not do it.
      if (message.type === "wait") this.#note(`The chat window pauses ${message.seconds} s here.`);
      else if (message.type === "redirect") this.#note(`The visitor is sent to ${message.url}${message.newTab ? " (new tab)" : ""}.`);
      else this.log.append(this.#message(message));
    }
    for (const log of turn.logs) this.#note(log.text, log.status);
    this.#awaiting(turn);
    this.log.scrollTop = this.log.scrollHeight;
  }

  #message(message) {
    if (message.type === "image") {
      return h("div", { class: "bubble bot" }, h("img", { src: message.url, alt: message.alt || "" }));
    }
    if (message.type === "video" || message.type === "audio") {
      return h("div", { class: "bubble bot" }, h(message.type, { src: message.url, controls: true, preload: "none" }));
    }
    if (message.type === "embed") {
      return h("div", { class: "bubble bot" }, h("a", { href: message.url, target: "_blank", rel: "noopener noreferrer" }, message.url));
    }
    const bubble = h("div", { class: "bubble bot" });
    bubble.innerHTML = message.html; // made safe by segflow: typed-in values are escaped
    return bubble;
  }

  #note(text, status = "info") {
    this.log.append(h("p", { class: `chat-note ${status}` }, text));
  }

  #awaiting(turn) {
    const input = turn.input;
    if (!input) {
      this.input.replaceChildren(h("p", { class: "chat-ended" }, "The chat has ended."),
        h("button", { type: "button", onclick: () => this.restart() }, "Start again"));
      return;
    }
    const options = input.options;
    if (input.type === "choiceInput") {
      this.input.replaceChildren(h("div", { class: "choices" }, options.items.map((item) =>
        h("button", { type: "button", onclick: () => this.#answer(item.label) }, item.label))));
      return;
    }
    const field = h(options.long ? "textarea" : "input", {
      type: options.long ? undefined : input.type === "numberInput" ? "number" : input.type === "emailInput" ? "email" : "text",
      placeholder: options.placeholder || "Type your answer",
      "aria-label": "Your answer",
    });
    const send = () => this.#answer(field.value);
    field.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        send();
      }
    });
    this.input.replaceChildren(h("div", { class: "answer" }, field,
      h("button", { type: "button", class: "primary", onclick: send }, options.buttonLabel || "Send")));
    field.focus();
  }
}
