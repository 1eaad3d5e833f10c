// The Events panel: every Segment message a preview chat produced, with its delivery state
// (queued, retrying, delivered, dead-lettered and why), kept live by server-sent events.

import { api } from "./api.js";
import { h } from "./dom.js";

const STATE_LABELS = {
  queued: "queued",
  retrying: "retrying",
  delivered: "delivered",
  "dead-lettered": "dead-lettered",
  purged: "purged",
};

export function messageSummary(body) {
  switch (body.type) {
    case "track":
      return body.event;
    case "page":
    case "screen":
      return body.name;
    case "group":
      return body.groupId;
    case "alias":
      return `${body.previousId} → ${body.userId}`;
    default:
      return body.userId || body.anonymousId;
  }
}

export class EventsPanel {
  constructor(element) {
    this.element = element;
    this.list = h("ol", { class: "event-list" });
    this.empty = h("p", { class: "hint" }, "Segment messages the chat sends appear here.");
    this.items = new Map();
    this.source = null;
    element.replaceChildren(
      h("h3", {}, "Events"),
      h("p", { class: "help" }, "Preview chats send real messages to the Segment accounts the flow names."),
      this.empty,
      this.list);
  }

  follow(sessionId) {
    this.stop();
    this.items.clear();
    this.list.replaceChildren();
    this.empty.hidden = false;
    this.sessionId = sessionId;
    this.#open();
  }

  stop() {
    this.source?.close();
    this.source = null;
    this.sessionId = null;
  }

  #open() {
    const sessionId = this.sessionId;
    this.source = new EventSource(api.previewEventsUrl(sessionId));
    this.source.addEventListener("messages", (event) => this.#show(JSON.parse(event.data)));
    this.source.addEventListener("renew", () => {
      this.source.close();
      if (this.sessionId === sessionId) this.#open();
    });
  }

  #show(messages) {
    this.empty.hidden = messages.length > 0;
    for (const message of messages) {
      let item = this.items.get(message.messageId);
      if (!item) {
        item = this.#item(message);
        this.items.set(message.messageId, item);
        this.list.append(item.element);
      }
      item.update(message);
    }
  }

  #item(message) {
    const state = h("span", { class: "state" });
    const meta = h("p", { class: "event-meta" });
    const reason = h("p", { class: "reason", hidden: true });
    const element = h("li", { class: "event", dataset: { messageId: message.messageId, type: message.type } },
      h("div", { class: "event-head" },
        h("span", { class: "event-type" }, message.type),
        h("span", { class: "event-summary" }, messageSummary(message.body) || ""),
        state),
      meta,
      reason,
      h("details", {}, h("summary", {}, "Message"), h("pre", { class: "payload" }, JSON.stringify(message.body, null, 2))));
    const update = (current) => {
      element.dataset.state = current.state;
      state.className = `state state-${current.state}`;
      state.textContent = STATE_LABELS[current.state] || current.state;
      const attempts = current.attempts ? ` · ${current.attempts} failed attempt${current.attempts === 1 ? "" : "s"}` : "";
      meta.textContent = `to ${current.destinationLabel || current.destination}${attempts}`;
      reason.textContent = current.error || "";
      reason.hidden = !current.error;
    };
    return { element, update };
  }
}
