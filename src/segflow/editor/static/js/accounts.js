// Segment accounts (destinations): the list the pickers show, "Add Segment account", and the
// accounts manager where an account is edited, renamed, checked or removed.
// A Write Key is typed into a password field and never comes back from the server.

import { api } from "./api.js";
import { h } from "./dom.js";
import { confirmAction, openDialog } from "./dialogs.js";

const WRITE_KEY_HELP = "Segment dashboard: Sources, select the source, API Keys";
const REGION_HELP = "Use the region of your Segment workspace: an EU workspace must use EU, " +
  "or Segment accepts its events and they never appear.";

// What people see for an account: its name, or what segflow's own account is.
export function accountLabel(account) {
  return account.label || account.name;
}

// One line about how the account's delivery goes.
export function accountState(account) {
  const waiting = account.queued ? `${account.queued} queued` : "nothing queued";
  const dead = account.dead ? `, ${account.dead} dead-lettered` : "";
  if (account.health === "undecryptable") {
    return `Write Key cannot be decrypted: re-enter it with Edit (${waiting}${dead})`;
  }
  if (account.health === "retrying") return `Retrying (${waiting}${dead}): ${account.lastError}`;
  return `Healthy, ${waiting}${dead}`;
}

export class Accounts {
  constructor() {
    this.list = [];
  }

  async load() {
    this.list = await api.accounts();
    return this.list;
  }

  names() {
    return this.list.map((account) => account.name);
  }

  // Asks for the account's details; answers its name once added, or null.
  async add() {
    const name = h("input", { type: "text", name: "name", autocomplete: "off" });
    const writeKey = h("input", { type: "password", name: "writeKey", autocomplete: "new-password" });
    const regions = regionFields();
    const body = h("div", { class: "account-form" },
      h("label", { class: "dialog-field" }, "Name", name),
      h("label", { class: "dialog-field" }, "Write Key", writeKey, h("span", { class: "help" }, WRITE_KEY_HELP)),
      regions.element);
    const added = await openDialog({
      title: "Add Segment account",
      body,
      className: "account-dialog",
      actions: [
        { label: "Cancel" },
        {
          label: "Add account",
          primary: true,
          run: async () => {
            const account = { name: name.value.trim(), writeKey: writeKey.value.trim(), ...regions.value() };
            if (!account.name) throw new Error("Name is required");
            if (this.names().includes(account.name)) throw new Error(`An account named "${account.name}" exists already`);
            if (!account.writeKey) throw new Error(`Write Key is required (${WRITE_KEY_HELP})`);
            return api.addAccount(account);
          },
        },
      ],
    });
    if (!added) return null;
    await this.load();
    return added.name;
  }

  // The accounts manager. `onRenamed(old, new)` lets the open flow follow a rename.
  async manage({ onRenamed = () => {} } = {}) {
    const rows = h("ul", { class: "accounts-list" });
    const notice = h("p", { class: "accounts-notice", role: "status", hidden: true });
    const say = (text) => { notice.textContent = text; notice.hidden = false; };
    const draw = async () => {
      await this.load();
      rows.replaceChildren(...(this.list.length
        ? this.list.map((account) => this.#row(account, { draw, onRenamed, say }))
        : [h("li", { class: "help" }, "No accounts yet: messages go to the built-in test collector.")]));
    };
    await draw();
    const add = h("button", { type: "button", onclick: async () => { if (await this.add()) await draw(); } },
      "Add Segment account");
    await openDialog({
      title: "Segment accounts",
      body: h("div", { class: "accounts-manager" }, notice, rows, add),
      className: "accounts-dialog",
      actions: [{ label: "Close", primary: true, run: () => true }],
    });
    await this.load();
  }

  #row(account, { draw, onRenamed, say }) {
    const outcome = h("p", { class: "check-outcome", "aria-live": "polite", hidden: true });
    const button = (label, run, className = "") =>
      h("button", { type: "button", class: className, onclick: run, "aria-label": `${label} ${accountLabel(account)}` }, label);
    const check = button("Check connection", async () => {
      outcome.hidden = false;
      outcome.className = "check-outcome";
      outcome.textContent = "Checking…";
      try {
        const checked = await api.checkAccount(account.name);
        outcome.className = `check-outcome ${checked.ok ? "ok" : "failed"}`;
        outcome.replaceChildren(h("strong", {}, checked.ok ? "Connected. " : "Not connected. "),
          checked.outcome, h("span", { class: "help" }, ` Sent ${checked.sent}.`));
      } catch (problem) {
        outcome.className = "check-outcome failed";
        outcome.textContent = problem.message;
      }
    });
    const own = account.builtIn ? [] : [
      button("Edit", async () => {
        if (!(await this.edit(account))) return;
        say(`Saved ${account.name}: its waiting messages are sent again now.`);
        await draw();
      }),
      button("Rename", async () => {
        const renamed = await this.rename(account);
        if (!renamed) return;
        onRenamed(account.name, renamed.name);
        const drafts = renamed.renamedIn.length ? ` The drafts of ${renamed.renamedIn.join(", ")} follow.` : "";
        say(`Renamed ${account.name} to ${renamed.name}.${drafts}`);
        await draw();
      }),
      button("Remove", async () => {
        const removed = await this.remove(account);
        if (!removed) return;
        const messages = removed.movedTo ? ` ${removed.moved} undelivered message(s) moved to ${removed.movedTo}.`
          : removed.dropped ? ` ${removed.dropped} undelivered message(s) dropped.` : "";
        const drafts = removed.draftsNamingIt.length
          ? ` The drafts of ${removed.draftsNamingIt.join(", ")} still use it: choose another account there.` : "";
        say(`Removed ${account.name}.${messages}${drafts}`);
        await draw();
      }, "danger"),
    ];
    return h("li", { class: `account account-${account.health || "healthy"}`, dataset: { account: account.name } },
      h("div", { class: "account-title" },
        h("strong", {}, accountLabel(account)),
        account.builtIn ? h("span", { class: "help" }, " (messages stay on this machine, for tests)") : null),
      h("p", { class: "account-details" },
        `${account.region.toUpperCase()}: ${account.endpoint}, key ${account.writeKeyHint}`),
      h("p", { class: "account-state" }, accountState(account)),
      h("div", { class: "account-actions" }, check, ...own),
      outcome);
  }

  // Endpoint and Write Key; answers the changed account, or null.
  edit(account) {
    const regions = regionFields(account);
    const writeKey = h("input", { type: "password", name: "writeKey", autocomplete: "new-password", placeholder: `keep ${account.writeKeyHint}` });
    const body = h("div", { class: "account-form" },
      regions.element,
      h("label", { class: "dialog-field" }, "New Write Key", writeKey,
        h("span", { class: "help" }, `Leave empty to keep the key ending ${account.writeKeyHint}. ` +
          "Messages waiting for this account are sent again at once with the new key.")));
    return openDialog({
      title: `Edit account ${account.name}`,
      body,
      className: "account-dialog",
      actions: [
        { label: "Cancel" },
        {
          label: "Save",
          primary: true,
          run: () => {
            const change = {};
            const chosen = regions.value();
            if (chosen.region !== account.region || (chosen.region === "custom" && chosen.endpoint !== account.endpoint)) {
              Object.assign(change, chosen);
            }
            if (writeKey.value.trim()) change.writeKey = writeKey.value.trim();
            if (!Object.keys(change).length) throw new Error("Nothing changed: choose a region or type a new Write Key");
            return api.updateAccount(account.name, change);
          },
        },
      ],
    });
  }

  // Answers the renamed account (with the flows whose drafts follow, renamedIn), or null.
  rename(account) {
    const input = h("input", { type: "text", value: account.name, "aria-label": "New name" });
    return openDialog({
      title: `Rename account ${account.name}`,
      body: h("div", {},
        h("label", { class: "dialog-field" }, "New name", input),
        h("p", { class: "help" }, "Flow drafts that use this account follow the new name; its queued messages stay with it. " +
          "An account that published flows use cannot be renamed.")),
      actions: [
        { label: "Cancel" },
        {
          label: "Rename",
          primary: true,
          run: () => {
            if (!input.value.trim()) throw new Error("New name is required");
            return api.updateAccount(account.name, { name: input.value.trim() });
          },
        },
      ],
    });
  }

  // Asks where its undelivered messages go; answers the removal, or null.
  remove(account) {
    const waiting = (account.queued || 0) + (account.dead || 0);
    if (!waiting) {
      return confirmAction({
        title: `Remove account ${account.name}`,
        message: `No message waits for ${account.name}. Flows that use it will need another account.`,
        action: "Remove account",
      }).then((yes) => (yes ? api.removeAccount(account.name, {}) : null));
    }
    const others = this.list.filter((other) => other.name !== account.name);
    const target = h("select", { name: "moveTo", "aria-label": "Account to move them to" },
      others.map((other) => h("option", { value: other.name }, accountLabel(other))));
    const choice = (value, label, extra = null, checked = false) =>
      h("div", { class: "choice" },
        h("label", { class: "radio" }, h("input", { type: "radio", name: "undelivered", value, checked }), ` ${label}`), extra);
    const body = h("div", { class: "account-form" },
      h("p", {}, `${waiting} message(s) have not been delivered to ${account.name} (queued, retrying or dead-lettered).`),
      h("fieldset", { class: "undelivered" }, h("legend", {}, "Its undelivered messages"),
        others.length ? choice("move", "Move them to ", target, true) : null,
        choice("drop", "Drop them: they are deleted and never sent", null, !others.length)),
      h("p", { class: "help" }, "An account that published flows use cannot be removed."));
    return openDialog({
      title: `Remove account ${account.name}`,
      body,
      className: "account-dialog",
      actions: [
        { label: "Cancel" },
        {
          label: "Remove account",
          danger: true,
          run: () => {
            const chosen = body.querySelector("input[name=undelivered]:checked")?.value;
            if (chosen === "move") return api.removeAccount(account.name, { moveTo: target.value });
            if (chosen === "drop") return api.removeAccount(account.name, { dropQueued: true });
            throw new Error("Choose what happens to the undelivered messages");
          },
        },
      ],
    });
  }
}

// Region radios (US, EU, custom endpoint) with their help; value() answers {region, endpoint}.
function regionFields(account = null) {
  const current = account?.region || "us";
  const endpoint = h("input", {
    type: "url", name: "endpoint", placeholder: "https://collector.example.com",
    value: account?.region === "custom" ? account.endpoint : "",
  });
  const endpointField = h("label", { class: "dialog-field", hidden: current !== "custom" }, "Endpoint URL", endpoint);
  const region = (value, label) =>
    h("label", { class: "radio" },
      h("input", {
        type: "radio", name: "region", value, checked: value === current,
        onchange: () => { endpointField.hidden = value !== "custom"; },
      }), ` ${label}`);
  const fieldset = h("fieldset", { class: "regions" }, h("legend", {}, "Region"),
    region("us", "US"), region("eu", "EU"), region("custom", "Custom endpoint"),
    h("p", { class: "help" }, REGION_HELP));
  return {
    element: h("div", {}, fieldset, endpointField),
    value: () => {
      const chosen = fieldset.querySelector("input[name=region]:checked").value;
      const url = endpoint.value.trim();
      if (chosen === "custom" && !/^https?:\/\/[^/]+/.test(url)) {
        throw new Error("Endpoint URL must be an http(s) address, e.g. https://hosted.rudderlabs.com");
      }
      return { region: chosen, endpoint: chosen === "custom" ? url : "" };
    },
  };
}
