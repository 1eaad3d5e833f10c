// The flows list: create, open, rename, duplicate, delete, import and export flows.

import { api } from "./api.js";
import { h } from "./dom.js";
import { isError } from "./problems.js";
import { askText, confirmAction, openDialog } from "./dialogs.js";

export async function openFlowsList(root) {
  const view = new FlowsList(root);
  await view.load();
  return view;
}

const open = (flowId) => {
  location.hash = `#/flows/${encodeURIComponent(flowId)}`;
};

class FlowsList {
  constructor(root) {
    this.table = h("tbody");
    this.empty = h("p", { class: "hint", hidden: true }, "No flows yet: create one, or import a segflow flow or a Typebot export.");
    this.file = h("input", { type: "file", accept: ".json,.yaml,.yml,application/json", hidden: true,
      "aria-label": "Flow file to import", onchange: () => this.#import() });
    root.replaceChildren(h("main", { class: "flows-page" },
      h("header", { class: "page-header" },
        h("h1", {}, "Flows"),
        h("div", { class: "spacer" }),
        h("button", { type: "button", onclick: () => this.file.click() }, "Import"),
        this.file,
        h("button", { type: "button", class: "primary", onclick: () => this.#create() }, "New flow")),
      this.empty,
      h("table", { class: "flows" },
        h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "ID"), h("th", {}, "Status"), h("th", {}, "Updated"), h("th", {}, ""))),
        this.table)));
  }

  destroy() {}

  async load() {
    const flows = await api.listFlows();
    this.empty.hidden = flows.length > 0;
    this.table.replaceChildren(...flows.map((flow) => this.#row(flow)));
  }

  #row(flow) {
    const published = flow.publishedVersion !== null;
    return h("tr", { dataset: { flowId: flow.id } },
      h("td", {}, h("a", { href: `#/flows/${encodeURIComponent(flow.id)}`, class: "flow-name" }, flow.name)),
      h("td", { class: "flow-id" }, flow.id),
      h("td", {}, published ? `Published, version ${flow.publishedVersion}` : "Draft",
        flow.unpublishedChanges && h("span", { class: "unpublished-changes" }, "Unpublished changes")),
      h("td", {}, new Date(flow.updatedAt * 1000).toLocaleString()),
      h("td", { class: "row-actions" },
        h("button", { type: "button", onclick: () => this.#rename(flow) }, "Rename"),
        h("button", { type: "button", onclick: () => this.#duplicate(flow) }, "Duplicate"),
        h("a", { class: "button", href: `#/flows/${encodeURIComponent(flow.id)}/results` }, "Results"),
        h("a", { class: "button", href: api.exportUrl(flow.id), download: `${flow.id}.json` }, "Export"),
        h("button", {
          type: "button", class: "danger", disabled: published,
          title: published ? "Chats may run on a published flow: it cannot be deleted" : undefined,
          onclick: () => this.#delete(flow),
        }, "Delete")));
  }

  async #create() {
    const name = await askText({ title: "New flow", label: "Name", action: "Create" });
    if (!name) return;
    open((await api.createFlow(name)).id);
  }

  async #rename(flow) {
    const name = await askText({ title: "Rename flow", label: "Name", value: flow.name, action: "Rename" });
    if (!name) return;
    await api.renameFlow(flow.id, name);
    await this.load();
  }

  async #duplicate(flow) {
    await api.duplicateFlow(flow.id);
    await this.load();
  }

  async #delete(flow) {
    const sure = await confirmAction({
      title: "Delete flow",
      message: `Delete "${flow.name}"? Its draft is gone for good.`,
      action: "Delete",
    });
    if (!sure) return;
    await api.deleteFlow(flow.id);
    await this.load();
  }

  async #import() {
    const file = this.file.files[0];
    this.file.value = "";
    if (!file) return;
    let imported;
    try {
      imported = await api.importFlow(await file.text(), file.name);
    } catch (error) {
      await openDialog({ title: "Import failed", body: h("p", { role: "alert" }, error.message), actions: [{ label: "Close" }] });
      return;
    }
    await this.load();
    const from = imported.source === "typebot" ? "a Typebot export" : "a segflow flow";
    const body = h("div", { class: "import-report" },
      h("p", {}, `"${imported.name}" was imported from ${from}.`),
      imported.report.length
        ? h("div", {}, h("h3", {}, "What changed"), h("ul", {}, imported.report.map((finding) =>
            h("li", {}, h("span", { class: `finding ${finding.kind}` }, finding.kind), " ", finding.text))))
        : h("p", {}, "Everything carried over as it was."),
      imported.problems.length
        ? h("div", {}, h("h3", {}, "To fix before publishing"), h("ul", {}, imported.problems.map((problem) => h("li", {}, isError(problem) ? problem.message : `Warning: ${problem.message}`))))
        : null);
    const choice = await openDialog({
      title: "Flow imported",
      body,
      className: "import-dialog",
      actions: [{ label: "Close" }, { label: "Open flow", primary: true, run: () => "open" }],
    });
    if (choice === "open") open(imported.id);
  }
}
