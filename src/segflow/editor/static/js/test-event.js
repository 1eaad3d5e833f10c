// "Send test event": asks for the variables a Segment block uses, sends the block's message
// to its account, and follows its delivery until it is delivered or dead-lettered.

import { api } from "./api.js";
import { h } from "./dom.js";
import { openDialog } from "./dialogs.js";
import { variablesIn } from "./schema.js";

const FINAL = new Set(["delivered", "dead-lettered", "purged"]);

// The variables a block reads: its {{templates}} and its Variable-typed rows.
export function variablesUsed(block) {
  const names = new Set();
  const visit = (value, row) => {
    if (typeof value === "string") variablesIn(value).forEach((name) => names.add(name));
    else if (Array.isArray(value)) value.forEach((item) => visit(item, item));
    else if (value && typeof value === "object") {
      if (row?.type === "variable" && row.value) names.add(row.value.replace(/[{}\s]/g, ""));
      Object.values(value).forEach((item) => visit(item));
    }
  };
  const { id, type, next, ...options } = block;
  visit(options);
  return [...names];
}

export async function sendTestEvent(block, flowDestination) {
  const names = variablesUsed(block);
  const inputs = names.map((name) => h("input", { type: "text", name, "aria-label": name }));
  const outcome = h("div", { class: "test-outcome", "aria-live": "polite" });
  const body = h("div", { class: "test-event" },
    names.length
      ? h("div", {}, h("p", {}, "Values of the variables this block uses:"),
          names.map((name, index) => h("label", { class: "dialog-field" }, `{{${name}}}`, inputs[index])))
      : h("p", {}, "This block uses no variables."),
    outcome);
  let sending = null;
  await openDialog({
    title: "Send test event",
    body,
    className: "test-event-dialog",
    actions: [
      { label: "Close" },
      {
        label: "Send",
        primary: true,
        keepOpen: true,
        run: async () => {
          const variables = Object.fromEntries(names.map((name, index) => [name, inputs[index].value]));
          const { id, type, next, ...options } = block;
          sending?.stop();
          sending = show(outcome, await api.sendTestEvent(options, variables, flowDestination || null));
        },
      },
    ],
  });
  sending?.stop();
}

function show(outcome, answer) {
  if (answer.outcome !== "queued") {
    outcome.replaceChildren(h("p", { class: "refused" }, `Not sent: ${answer.problem}`));
    return null;
  }
  const state = h("span", { class: "state state-queued" }, "queued");
  const reason = h("p", { class: "reason", hidden: true });
  outcome.replaceChildren(
    h("p", {}, `Queued ${/^[aeiou]/i.test(answer.type) ? "an" : "a"} ${answer.type} message for `, h("strong", {}, answer.destinationLabel || answer.destination), ": ", state),
    reason,
    h("pre", { class: "payload" }, JSON.stringify(answer.body, null, 2)));
  return follow(answer.messageId, state, reason);
}

function follow(messageId, state, reason) {
  let stopped = false;
  const poll = async () => {
    if (stopped) return;
    const delivery = await api.testEventDelivery(messageId);
    state.textContent = delivery.state;
    state.className = `state state-${delivery.state}`;
    reason.textContent = delivery.error || "";
    reason.hidden = !delivery.error;
    if (!FINAL.has(delivery.state)) setTimeout(poll, 500);
  };
  poll();
  return { stop: () => { stopped = true; } };
}
