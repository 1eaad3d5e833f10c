// One chat with a published flow: the conversation log, the control for the awaited input,
// and the state remembered across reloads. The bubble, popup and inline modes place it.

import { ChatConnection } from "./connection.js";
import { answerControl } from "./controls.js";
import { h } from "./dom.js";
import { ChatMemory } from "./memory.js";
import { analyticsIds, visitorContext } from "./visitor.js";

const REMEMBERED_ENTRIES = 300; // of a very long chat, a reload shows the latest

export class Chat {
  constructor({ flow, apiHost, remember = "local" }) {
    this.connection = new ChatConnection(apiHost, flow);
    this.memory = new ChatMemory(remember, `segflow:chat:${apiHost}:${flow}`);
    this.state = null; // {sessionId, transcript, input, status}
    this.begun = null;
    // Focusable, so that the keyboard can scroll back through the conversation.
    this.log = h("div", { class: "segflow-log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
    this.composer = h("div", { class: "segflow-composer" });
    this.element = h("div", { class: "segflow-conversation" }, this.log, this.composer);
  }

  // Resumes the remembered chat, or starts one; once, however often it is called.
  begin() {
    this.begun ||= this.#resumeOrStart();
    return this.begun;
  }

  // Moves the keyboard focus to the awaited input (or what stands for it).
  focus() {
    (this.composer.querySelector("input, textarea, button") || this.log).focus?.();
  }

  async #resumeOrStart() {
    const remembered = this.memory.load();
    if (!remembered) return this.#start();
    this.state = remembered;
    for (const entry of remembered.transcript) this.#show(entry);
    try {
      const session = await this.connection.read(remembered.sessionId);
      this.state.status = session.status;
      this.state.input = session.input;
      this.#save();
      this.#await(this.state);
    } catch (error) {
      if (error.status === 404) return this.restart(); // the server no longer has it
      this.#failed(error, () => this.#resumeAgain());
    }
  }

  #resumeAgain() {
    this.begun = null;
    this.log.replaceChildren();
    return this.begin();
  }

  async #start() {
    this.#waiting(true);
    try {
      const turn = await this.connection.start({ ...analyticsIds(), context: visitorContext() });
      this.state = { sessionId: turn.sessionId, transcript: [], input: null, status: "active" };
      this.#turn(turn, false);
    } catch (error) {
      this.#failed(error, () => this.restart());
    } finally {
      this.#waiting(false);
    }
  }

  // Forgets this chat and starts a new one.
  restart() {
    this.memory.clear();
    this.state = null;
    this.log.replaceChildren();
    this.composer.replaceChildren();
    this.begun = this.#start();
    return this.begun;
  }

  async #answer(value, shown) {
    const hadFocus = this.element.contains(document.activeElement) || this.#focusInside();
    const entry = { from: "visitor", text: shown };
    this.state.transcript.push(entry);
    const shownEntry = this.#show(entry);
    this.composer.replaceChildren();
    this.#waiting(true);
    try {
      const turn = await this.connection.answer(this.state.sessionId, value);
      this.#turn(turn, hadFocus);
    } catch (error) {
      this.state.transcript.pop(); // not saved: the visitor answers again
      shownEntry.remove();
      if (error.status === 409 || error.status === 404) {
        this.state.status = "completed";
        this.state.input = null;
        this.#save();
        this.#await(this.state, error.message);
      } else {
        this.#failed(error, () => this.#await(this.state));
      }
    } finally {
      this.#waiting(false);
    }
    if (hadFocus) this.focus();
  }

  #focusInside() {
    const root = this.element.getRootNode();
    return root instanceof ShadowRoot && root.activeElement !== null;
  }

  async #turn(turn, focus) {
    const said = turn.messages.filter((message) => !ACTIONS.has(message.type));
    this.state.transcript.push(...said.map((message) => ({ from: "bot", message })));
    this.state.input = turn.input;
    this.state.status = turn.status;
    this.#save(); // the whole turn, actions left out: a reload mid-pause shows it at once
    for (const message of turn.messages) {
      if (message.type === "wait") await pause(message.content?.seconds);
      else if (message.type === "redirect") visit(message.content || {});
      else this.#show({ from: "bot", message });
    }
    this.#await(this.state);
    if (focus) this.focus();
  }

  #save() {
    const transcript = this.state.transcript.slice(-REMEMBERED_ENTRIES);
    this.memory.save({ ...this.state, transcript });
  }

  #show(entry) {
    const element = entry.from === "visitor" ? visitorMessage(entry.text) : botMessage(entry.message);
    this.log.append(element);
    this.log.scrollTop = this.log.scrollHeight;
    return element;
  }

  #await(state, reason) {
    if (state.input) {
      const control = answerControl(state.input, (value, shown) => this.#answer(value, shown));
      this.composer.replaceChildren(control.element);
      return;
    }
    this.composer.replaceChildren(h("div", { class: "segflow-ended" },
      h("p", {}, reason || "The chat has ended."),
      h("button", { type: "button", class: "segflow-send", onclick: () => this.#startOver() }, "Start a new chat")));
  }

  async #startOver() {
    await this.restart();
    this.focus();
  }

  #failed(error, retry) {
    this.composer.replaceChildren(h("div", { class: "segflow-error", role: "alert" },
      h("p", {}, error.message),
      h("button", { type: "button", class: "segflow-send", onclick: () => retry() }, "Try again")));
  }

  #waiting(busy) {
    this.log.setAttribute("aria-busy", String(busy));
    this.log.querySelector(".segflow-typing")?.remove();
    if (busy) this.log.append(h("div", { class: "segflow-typing", "aria-hidden": "true" }, h("span"), h("span"), h("span")));
  }
}

// Things the chat window does rather than shows; never kept in the transcript.
const ACTIONS = new Set(["wait", "redirect"]);

function pause(seconds) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(seconds) || 0) * 1000));
}

function isWebAddress(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url);
}

function visit({ url, newTab }) {
  if (!isWebAddress(url)) return;
  if (newTab) window.open(url, "_blank", "noopener");
  else window.location.assign(url);
}

function botMessage(message) {
  const content = message.content || {};
  if (message.type === "image") {
    return h("div", { class: "segflow-message segflow-bot" },
      h("img", { src: content.url, alt: content.alt || "", loading: "lazy" }));
  }
  if ((message.type === "video" || message.type === "audio") && isWebAddress(content.url)) {
    return h("div", { class: "segflow-message segflow-bot" },
      h(message.type, { src: content.url, controls: true, preload: "none" }));
  }
  if (message.type === "embed" && isWebAddress(content.url)) {
    // A link, not a frame: a framed page could ask the visitor for anything under the
    // website's name.
    return h("div", { class: "segflow-message segflow-bot" },
      h("a", { href: content.url, target: "_blank", rel: "noopener noreferrer" },
        `Open ${new URL(content.url).host}`));
  }
  const bubble = h("div", { class: "segflow-message segflow-bot" });
  if (typeof content.html === "string") bubble.innerHTML = content.html; // made safe by segflow
  else bubble.textContent = content.text ?? "";
  return bubble;
}

function visitorMessage(text) {
  return h("div", { class: "segflow-message segflow-visitor" }, h("span", { class: "segflow-visually-hidden" }, "You: "), text);
}
