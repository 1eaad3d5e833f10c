// Segment accounts (destinations): the list the pickers show, and "Add Segment account".
// The Write Key is typed once into a password field and never comes back from the server.

import { api } from "./api.js";
import { h } from "./dom.js";
import { openDialog } from "./dialogs.js";

const WRITE_KEY_HELP = "Segment dashboard: Sources, select the source, API Keys";

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
    const endpoint = h("input", { type: "url", name: "endpoint", placeholder: "https://collector.example.com" });
    const endpointField = h("label", { class: "dialog-field", hidden: true }, "Endpoint URL", endpoint);
    const region = (value, label, checked = false) =>
      h("label", { class: "radio" },
        h("input", {
          type: "radio", name: "region", value, checked,
          onchange: () => { endpointField.hidden = value !== "custom"; },
        }), ` ${label}`);
    const body = h("div", { class: "account-form" },
      h("label", { class: "dialog-field" }, "Name", name),
      h("label", { class: "dialog-field" }, "Write Key", writeKey, h("span", { class: "help" }, WRITE_KEY_HELP)),
      h("fieldset", { class: "regions" }, h("legend", {}, "Region"),
        region("us", "US", true), region("eu", "EU"), region("custom", "Custom endpoint")),
      endpointField);
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
            const chosen = body.querySelector("input[name=region]:checked").value;
            const account = {
              name: name.value.trim(),
              writeKey: writeKey.value.trim(),
              region: chosen,
              endpoint: chosen === "custom" ? endpoint.value.trim() : "",
            };
            if (!account.name) throw new Error("Name is required");
            if (this.names().includes(account.name)) throw new Error(`An account named "${account.name}" exists already`);
            if (!account.writeKey) throw new Error(`Write Key is required (${WRITE_KEY_HELP})`);
            if (chosen === "custom" && !/^https?:\/\/[^/]+/.test(account.endpoint)) {
              throw new Error("Endpoint URL must be an http(s) address, e.g. https://hosted.rudderlabs.com");
            }
            return api.addAccount(account);
          },
        },
      ],
    });
    if (!added) return null;
    await this.load();
    return added.name;
  }
}
