// A flow's Results: its chats a page at a time (newest first) with filters, a chat's
// transcript and Segment messages in a side panel, and the CSV download of the filtered chats.

import { api } from "./api.js";
import { h } from "./dom.js";
import { messageSummary } from "./events.js";

const PAGE_SIZE = 50;
const STATUSES = [["", "Any status"], ["active", "Active"], ["completed", "Completed"], ["stopped", "Stopped"]];

export async function openResults(root, flowId) {
  const view = new ResultsPage(root, flowId, await api.getFlow(flowId));
  await view.load();
  return view;
}

const when = (seconds) => new Date(seconds * 1000).toLocaleString();
const shown = (value) => (value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value));

function stateBadge(message) {
  return h("span", { class: `state state-${message.state}` }, message.state);
}

class ResultsPage {
  constructor(root, flowId, flow) {
    this.flowId = flowId;
    this.cursors = [null]; // the cursor of each page seen so far; the last is the current page's
    this.selected = null;
    this.status = h("select", { "aria-label": "Status", onchange: () => this.#filtersChanged() },
      STATUSES.map(([value, label]) => h("option", { value }, label)));
    this.from = h("input", { type: "date", "aria-label": "Started from", onchange: () => this.#filtersChanged() });
    this.to = h("input", { type: "date", "aria-label": "Started until", onchange: () => this.#filtersChanged() });
    this.search = h("input", { type: "search", placeholder: "Search answers", "aria-label": "Search answers",
      onchange: () => this.#filtersChanged() });
    this.download = h("a", { class: "button", download: `${flowId}-results.csv` }, "Download CSV");
    this.count = h("p", { class: "results-count", role: "status" });
    this.head = h("thead");
    this.body = h("tbody");
    this.previous = h("button", { type: "button", onclick: () => this.#go(-1) }, "Previous");
    this.next = h("button", { type: "button", onclick: () => this.#go(1) }, "Next");
    this.pageLabel = h("span", { class: "hint" });
    this.panel = h("aside", { class: "results-chat", hidden: true, "aria-label": "Chat" });
    root.replaceChildren(h("div", { class: "results-page" },
      h("main", { class: "results-main" },
        h("header", { class: "page-header" },
          h("a", { href: "#/", class: "back" }, "← Flows"),
          h("h1", {}, `Results: ${flow.name}`),
          h("div", { class: "spacer" }),
          h("a", { class: "button", href: `#/flows/${encodeURIComponent(flowId)}` }, "Edit flow"),
          this.download),
        h("p", { class: "help" }, "Chats with the published flow, newest first. Preview chats are not kept, and do not show here."),
        h("div", { class: "results-filters" }, this.status, h("label", {}, "From ", this.from), h("label", {}, "Until ", this.to), this.search),
        this.count,
        h("div", { class: "results-table-wrap" }, h("table", { class: "flows results" }, this.head, this.body)),
        h("nav", { class: "pager", "aria-label": "Pages" }, this.previous, this.pageLabel, this.next)),
      this.panel));
  }

  destroy() {}

  #query() {
    const query = {};
    if (this.status.value) query.status = this.status.value;
    // The dates are the browser's days: from the first one's midnight to the day after the last.
    if (this.from.value) query.startedFrom = new Date(`${this.from.value}T00:00`).getTime() / 1000;
    if (this.to.value) {
      const until = new Date(`${this.to.value}T00:00`);
      until.setDate(until.getDate() + 1);
      query.startedBefore = until.getTime() / 1000;
    }
    if (this.search.value.trim()) query.search = this.search.value.trim();
    return query;
  }

  async #filtersChanged() {
    this.cursors = [null];
    await this.#reload();
  }

  async #go(step) {
    if (step < 0) this.cursors.pop();
    else this.cursors.push(this.nextCursor);
    await this.#reload();
  }

  async #reload() {
    try {
      await this.load();
    } catch (error) {
      this.count.replaceChildren(h("span", { role: "alert", class: "reason" }, error.message));
    }
  }

  async load() {
    const query = this.#query();
    const after = this.cursors[this.cursors.length - 1];
    const page = await api.results(this.flowId, { ...query, limit: PAGE_SIZE, ...(after ? { after } : {}) });
    this.download.href = api.resultsCsvUrl(this.flowId, query);
    this.nextCursor = page.next;
    this.count.textContent = `${page.total.toLocaleString()} chat${page.total === 1 ? "" : "s"}`;
    this.previous.disabled = this.cursors.length === 1;
    this.next.disabled = !page.next;
    const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
    this.pageLabel.textContent = `Page ${this.cursors.length} of ${pages.toLocaleString()}`;
    this.head.replaceChildren(h("tr", {},
      ["Started", "Last activity", "Status", "Answers", ...page.variables, "Segment messages"].map((title) => h("th", {}, title))));
    this.body.replaceChildren(...page.chats.map((chat) => this.#row(chat, page.variables)));
    if (!page.chats.length) {
      this.body.append(h("tr", {}, h("td", { colspan: page.variables.length + 5, class: "hint" }, "No chats match.")));
    }
  }

  #row(chat, variables) {
    const row = h("tr", {
      class: "result-row", tabindex: "0", dataset: { chatId: chat.id },
      onclick: () => this.#open(chat.id),
      onkeydown: (event) => { if (event.key === "Enter") this.#open(chat.id); },
    },
    h("td", {}, when(chat.startedAt)),
    h("td", {}, when(chat.lastActivityAt)),
    h("td", {}, h("span", { class: `chat-status status-${chat.status}` }, chat.status)),
    h("td", { class: "answers" }, chat.answers.join(" · ")),
    variables.map((name) => h("td", { dataset: { variable: name } }, shown(chat.variables[name]))),
    h("td", { class: "segment-messages" }, chat.segment.map((message) =>
      h("span", { class: "sent", dataset: { type: message.type } }, message.type, " ", stateBadge(message)))));
    row.classList.toggle("selected", chat.id === this.selected);
    return row;
  }

  async #open(chatId) {
    this.selected = chatId;
    for (const row of this.body.querySelectorAll(".result-row")) row.classList.toggle("selected", row.dataset.chatId === chatId);
    let chat;
    try {
      chat = await api.resultsChat(this.flowId, chatId);
    } catch (error) {
      this.panel.hidden = false;
      this.panel.replaceChildren(h("p", { role: "alert", class: "reason" }, error.message));
      return;
    }
    const transcript = h("div", { class: "chat-log transcript" });
    for (const turn of chat.transcript) {
      if (turn.answer !== null) transcript.append(h("div", { class: "bubble user" }, turn.answer));
      for (const message of turn.messages) transcript.append(botMessage(message));
    }
    if (chat.status !== "active") transcript.append(h("p", { class: "chat-note" }, chat.status === "completed" ? "The chat ended." : "segflow stopped the chat."));
    this.panel.hidden = false;
    this.panel.replaceChildren(
      h("header", { class: "panel-header" },
        h("h2", {}, "Chat"),
        h("div", { class: "spacer" }),
        h("button", { type: "button", "aria-label": "Close", onclick: () => this.#close() }, "×")),
      h("dl", { class: "chat-facts" },
        h("dt", {}, "Started"), h("dd", {}, when(chat.startedAt)),
        h("dt", {}, "Status"), h("dd", {}, chat.status),
        h("dt", {}, "Flow version"), h("dd", {}, String(chat.flowVersion)),
        h("dt", {}, "Anonymous ID"), h("dd", {}, chat.anonymousId),
        chat.userId && [h("dt", {}, "User ID"), h("dd", {}, chat.userId)],
        h("dt", {}, "Chat ID"), h("dd", {}, chat.id)),
      h("h3", {}, "Transcript"),
      transcript,
      h("h3", {}, "Segment messages"),
      chat.segment.length
        ? h("ol", { class: "event-list" }, chat.segment.map(sentMessage))
        : h("p", { class: "hint" }, "This chat sent no Segment message."));
  }

  #close() {
    this.selected = null;
    this.panel.hidden = true;
    for (const row of this.body.querySelectorAll(".result-row.selected")) row.classList.remove("selected");
  }
}

function botMessage(message) {
  if (message.type === "wait") return h("p", { class: "chat-note" }, `The chat window paused ${message.seconds} s.`);
  if (message.type === "redirect") return h("p", { class: "chat-note" }, `The visitor was sent to ${message.url}.`);
  if (message.type === "text") return h("div", { class: "bubble bot" }, message.text);
  return h("div", { class: "bubble bot" }, `${message.type}: ${message.url}`);
}

function sentMessage(message) {
  const attempts = message.attempts ? ` · ${message.attempts} failed attempt${message.attempts === 1 ? "" : "s"}` : "";
  return h("li", { class: "event", dataset: { messageId: message.messageId, type: message.type, state: message.state } },
    h("div", { class: "event-head" },
      h("span", { class: "event-type" }, message.type),
      h("span", { class: "event-summary" }, messageSummary(message.body) || ""),
      stateBadge(message)),
    h("p", { class: "event-meta" }, `to ${message.destination}${attempts}`),
    message.error && h("p", { class: "reason" }, message.error),
    h("details", {}, h("summary", {}, "Message"), h("pre", { class: "payload" }, JSON.stringify(message.body, null, 2))));
}
