// The panel beside the canvas: the selected block's settings (a form drawn from its options'
// schema), the selected group's, an exit's, or the flow's own when nothing is selected.

import { accountLabel } from "./accounts.js";
import { h } from "./dom.js";
import { itemLabel } from "./blocks.js";
import { exitGroup, exitHolder, findBlock, findGroup, withGroup } from "./flow-ops.js";
import { SchemaForm } from "./schema-form.js";
import { manageAccounts, segmentSettings } from "./segment-panel.js";

export class SettingsPanel {
  constructor(element, editor) {
    this.element = element;
    this.editor = editor;
    this.form = null;
    this.unplaced = null;
  }

  render() {
    this.form = null;
    this.unplaced = null;
    const selection = this.editor.selection;
    const doc = this.editor.store.doc;
    let content;
    if (selection?.kind === "block" && findBlock(doc, selection.blockId)) content = this.#block(selection.blockId);
    else if (selection?.kind === "group" && findGroup(doc, selection.groupId)) content = this.#group(selection.groupId);
    else if (selection?.kind === "exit") content = this.#exit(selection.source);
    else content = this.#flow();
    const focusedId = this.element.contains(document.activeElement) ? document.activeElement.id : "";
    this.element.replaceChildren(content);
    this.showProblems();
    if (focusedId) document.getElementById(focusedId)?.focus(); // e.g. another Segment action chosen
  }

  showProblems() {
    const selection = this.editor.selection;
    if (!this.form || selection?.kind !== "block") return;
    const problems = this.editor.problems;
    this.form.showProblems(problems, selection.blockId);
    const rest = problems.unplaced(selection.blockId, this.form.shownKeys);
    this.unplaced.replaceChildren(...rest.map((problem) => h("li", {}, problem.problem)));
    this.unplaced.hidden = rest.length === 0;
  }

  #block(blockId) {
    const editor = this.editor;
    const block = editor.block(blockId);
    const type = editor.catalog.get(block.type);
    const schema = editor.catalog.schemaOf(block);
    const onChange = (value, key) => editor.updateBlock(blockId, value, key);
    this.unplaced = h("ul", { class: "block-problems", role: "alert", hidden: true });
    let body;
    if (!type) {
      body = h("p", {}, `"${block.type}" is no block type segflow knows.`);
    } else if (type.schema.discriminator) {
      const segment = segmentSettings({ block, type, schema, editor, onChange });
      this.form = segment.form;
      body = segment.element;
    } else {
      this.form = new SchemaForm({ schema, root: type.schema, value: block, context: editor.formContext(), onChange });
      body = this.form.element;
    }
    return h("section", { class: "panel-block", dataset: { blockId } },
      h("header", {},
        h("h2", {}, type?.title || block.type),
        h("p", { class: "help" }, type?.description || schema?.description || ""),
        h("p", { class: "block-id" }, `ID ${block.id}`)),
      this.unplaced,
      body,
      h("div", { class: "panel-actions" },
        h("button", { type: "button", class: "danger", onclick: () => editor.deleteSelection() }, "Delete block")));
  }

  #group(groupId) {
    const editor = this.editor;
    const group = findGroup(editor.store.doc, groupId);
    const title = h("input", {
      id: "group-title", type: "text", value: group.title || "",
      oninput: () => editor.store.put(withGroup(editor.store.doc, groupId, { title: title.value }),
        { key: `group-title:${groupId}`, origin: "panel" }),
    });
    return h("section", { class: "panel-group" },
      h("header", {}, h("h2", {}, "Group"), h("p", { class: "block-id" }, `ID ${group.id}`)),
      h("div", { class: "field" }, h("label", { for: "group-title" }, "Title"), title,
        h("p", { class: "help" }, "Also the Page View's name when the flow tracks page views.")),
      h("div", { class: "panel-actions" },
        h("button", { type: "button", class: "danger", onclick: () => editor.deleteSelection() }, "Delete group")));
  }

  #exit(source) {
    const editor = this.editor;
    const doc = editor.store.doc;
    let from = "Start";
    let target = doc.start?.group;
    if (!source.start) {
      const exit = exitHolder(doc, source);
      if (!exit) return this.#flow();
      const { block, holder, key } = exit;
      from = `${editor.catalog.title(block.type)} "${block.id}"`;
      if (source.itemsKey) from += `, ${itemLabel(holder, source.index)}`;
      const own = editor.catalog.exitKeys(block).find((named) => named.key === key);
      if (own) from += `, ${own.title}`;
      target = exitGroup(holder[key]);
    }
    const group = findGroup(doc, target);
    return h("section", { class: "panel-exit" },
      h("header", {}, h("h2", {}, "Exit")),
      h("p", {}, `${from} → ${group?.title || target}`),
      source.start ? h("p", { class: "help" }, "Drag the Start handle to another group to change where chats begin.") :
        h("div", { class: "panel-actions" },
          h("button", { type: "button", class: "danger", onclick: () => editor.deleteSelection() }, "Remove exit")));
  }

  // A variable's name, renamed wherever the flow uses it once typed (Enter or leaving the field).
  #variable(variable, index, change) {
    const editor = this.editor;
    const error = h("p", { class: "field-error", id: `variable-${index}-error`, role: "alert" });
    const input = h("input", { type: "text", value: variable.name, "aria-label": `Variable ${index + 1}`,
      "aria-describedby": error.id });
    const remove = h("button", { type: "button", class: "remove", "aria-label": `Remove variable ${variable.name}`,
      onclick: () => { change(null, (next) => next.variables.splice(index, 1)); this.render(); } }, "×");
    const rename = () => {
      const from = editor.store.doc.variables[index]?.name;
      const to = input.value.trim();
      error.textContent = "";
      if (from === undefined || to === from) return;
      if (!to) error.textContent = `Variable ${index + 1} needs a name; it stays "${from}".`;
      else if (editor.store.doc.variables.some((other) => other.name === to)) {
        error.textContent = `A variable named "${to}" already exists; this one stays "${from}".`;
      } else {
        editor.renameVariable(from, to);
        remove.setAttribute("aria-label", `Remove variable ${to}`);
        return;
      }
      input.value = from;
    };
    input.addEventListener("change", rename);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") rename();
    });
    return h("li", {}, h("div", { class: "variable-row" }, input, remove), error);
  }

  #flow() {
    const editor = this.editor;
    const doc = editor.store.doc;
    const change = (key, edit) => editor.store.change(edit, { key, origin: "panel" });
    const name = h("input", { id: "flow-name", type: "text", value: doc.name || "",
      oninput: () => editor.store.put({ ...editor.store.doc, name: name.value }, { key: "flow-name", origin: "panel" }) });
    const description = h("textarea", { id: "flow-description", rows: 2,
      oninput: () => editor.store.put({ ...editor.store.doc, description: description.value },
        { key: "flow-description", origin: "panel" }) });
    description.value = doc.description || "";
    const variables = (doc.variables || []).map((variable, index) => this.#variable(variable, index, change));
    const rules = h("select", { id: "flow-semantics",
      onchange: () => change(null, (next) => {
        if (rules.value === "typebot") next.semantics = "typebot";
        else delete next.semantics;
      }) },
      h("option", { value: "segflow", selected: doc.semantics !== "typebot" }, "segflow's"),
      h("option", { value: "typebot", selected: doc.semantics === "typebot" }, "Typebot's"));
    const account = h("select", { id: "flow-account",
      onchange: () => change(null, (next) => {
        next.segment = { ...(next.segment || {}) };
        if (account.value) next.segment.destination = account.value;
        else delete next.segment.destination;
      }) },
      h("option", { value: "" }, "segflow's default"),
      editor.accounts.list.map((item) =>
        h("option", { value: item.name, selected: item.name === doc.segment?.destination }, accountLabel(item))));
    const autoTrack = (key, label) => {
      const box = h("input", { type: "checkbox", checked: Boolean(doc.segment?.autoTrack?.[key]),
        onchange: () => change(null, (next) => {
          next.segment = { ...(next.segment || {}), autoTrack: { ...(next.segment?.autoTrack || {}), [key]: box.checked } };
        }) });
      return h("label", { class: "checkbox" }, box, ` ${label}`);
    };
    return h("section", { class: "panel-flow" },
      h("header", {}, h("h2", {}, "Flow"), h("p", { class: "help" }, "Select a block or a group to edit it.")),
      h("div", { class: "field" }, h("label", { for: "flow-name" }, "Name"), name),
      h("div", { class: "field" }, h("label", { for: "flow-description" }, "Description"), description),
      h("div", { class: "field" }, h("label", { for: "flow-semantics" }, "Values and conditions follow"), rules,
        h("p", { class: "help" }, 'Typebot\'s rules (set on imported Typebot bots) read "15" as the number 15 when computing and make "Equal to" case-sensitive, so an imported bot takes the same path as in Typebot.')),
      h("fieldset", { class: "field" }, h("legend", {}, "Variables"),
        h("ul", { class: "variables" }, variables),
        h("button", { type: "button", class: "add-row",
          onclick: () => { change(null, (next) => { next.variables = [...(next.variables || []), { name: `variable${(next.variables || []).length + 1}` }]; }); this.render(); } },
          "+ Add variable")),
      h("fieldset", { class: "field" }, h("legend", {}, "Segment"),
        h("label", { for: "flow-account" }, "Segment account of blocks that name none"), account,
        h("button", { type: "button", class: "manage-accounts", onclick: () => manageAccounts(editor) }, "Manage accounts"),
        autoTrack("pageViews", "A Page View for each group entered"),
        autoTrack("flowEvents", 'Track "Flow Started" and "Flow Completed"')));
  }
}
