// A form drawn from a JSON Schema (a block's options): a field per property, with its title,
// a required marker, its description as help, and an error line that shows the problem segflow
// found at that field. Only what the schema itself says is checked here, as you type: a
// required text left empty, in the server's words. No block has a form of its own.

import { accountLabel } from "./accounts.js";
import { h } from "./dom.js";
import { keyValueList } from "./key-values.js";
import { isExit, newValue, requiredIn, resolve, unwrapNullable } from "./schema.js";
import { variablePicker } from "./variable-picker.js";
import { isError, pathKey } from "./problems.js";

let fieldNumber = 0;

// context: variables(), declareVariable(name), groups(), accounts(), addAccount() → name.
export class SchemaForm {
  constructor({ schema, root, value, context, onChange, skip = [] }) {
    this.schema = schema;
    this.root = root;
    this.value = structuredClone(value);
    this.context = context;
    this.onChange = onChange;
    this.skip = new Set(skip);
    this.checks = new Map();
    this.problems = null;
    this.blockId = null;
    this.element = h("div", { class: "schema-form" });
    this.render();
  }

  render() {
    this.checks.clear();
    this.element.replaceChildren(...this.#properties(this.schema, this.value, [], ""));
    this.#refreshErrors();
  }

  // The keys (as "a.0.b") of the fields drawn, for problems that no field shows.
  get shownKeys() {
    return new Set(this.checks.keys());
  }

  showProblems(problems, blockId) {
    this.problems = problems;
    this.blockId = blockId;
    this.#refreshErrors();
  }

  #changed(key, { redraw = false } = {}) {
    this.onChange(structuredClone(this.value), key);
    if (redraw) this.render();
    else this.#refreshErrors();
  }

  #refreshErrors() {
    for (const [key, { error, check }] of this.checks) {
      const own = check();
      const located = this.problems?.forField(this.blockId, key.split(".").map(asIndex));
      const message = own || located?.problem || "";
      error.textContent = message;
      error.hidden = !message;
      const warned = !own && located && !isError(located);
      error.closest(".field")?.classList.toggle("invalid", Boolean(message) && !warned);
      error.closest(".field")?.classList.toggle("warned", Boolean(warned));
    }
  }

  #register(path, error, check) {
    this.checks.set(pathKey(path), { error, check });
  }

  #properties(schema, holder, path, titles) {
    const plain = [];
    const advanced = [];
    const required = requiredIn(schema);
    for (const [key, property] of Object.entries(schema.properties || {})) {
      if (path.length === 0 && this.skip.has(key)) continue;
      const field = this.#field(key, property, holder, [...path, key], required.has(key), titles);
      if (field) (property.advanced ? advanced : plain).push(field);
    }
    if (advanced.length) {
      plain.push(h("details", { class: "advanced" }, h("summary", {}, "Advanced"), advanced));
    }
    return plain;
  }

  #field(key, property, holder, path, required, titles) {
    const { schema, nullable } = unwrapNullable(property, this.root);
    if (isExit(property) || isExit(schema) || "const" in schema) return null;
    if (key === "id" && path.length > 1) return null; // an item's ID: made for it, not typed
    const title = property.title || schema.title || key;
    const shownTitle = titles ? `${titles} › ${title}` : title;
    const id = `field-${++fieldNumber}`;
    const error = h("p", { class: "field-error", role: "alert", hidden: true });
    const wrap = (control, { label = true } = {}) => {
      // The field's name without the required marker, for assistive technology (and tests).
      const labelled = control.id === id ? control : control.querySelector(`#${id}`);
      labelled?.setAttribute("aria-label", title);
      if (required) labelled?.setAttribute("aria-required", "true");
      return h(
        "div",
        { class: `field field-${schema.type || "any"}`, dataset: { path: pathKey(path) } },
        label
          ? h("label", { for: id }, title, required ? h("span", { class: "required", "aria-hidden": "true", title: "Required" }, " *") : null)
          : null,
        control,
        property.description ? h("p", { class: "help" }, property.description) : null,
        error,
      );
    };
    const set = (value, options) => {
      if ((value === null || value === "") && nullable) delete holder[key];
      else holder[key] = value;
      this.#changed(pathKey(path), options);
    };
    const current = holder[key] ?? ("default" in property ? property.default : schema.default);

    if (schema.ui === "key-value") {
      if (!Array.isArray(holder[key])) holder[key] = [];
      const list = keyValueList({
        path, title, schema, root: this.root, rows: holder[key], context: this.context,
        onChange: (_rows, changeKey) => this.#changed(changeKey),
        registerCheck: (rowPath, rowError, check) => this.#register(rowPath, rowError, check),
      });
      return h("fieldset", { class: "field key-value-field", dataset: { path: pathKey(path) } },
        h("legend", {}, title), property.description ? h("p", { class: "help" }, property.description) : null, list);
    }
    if (schema.type === "array") return this.#itemList(key, schema, holder, path, title, shownTitle);
    if (schema.type === "object") {
      if (!holder[key]) holder[key] = {};
      return h("fieldset", { class: "field", dataset: { path: pathKey(path) } }, h("legend", {}, title),
        this.#properties(schema, holder[key], path, shownTitle));
    }

    let control;
    if (schema.type === "boolean") {
      control = h("input", { id, type: "checkbox", checked: Boolean(current), onchange: () => set(control.checked) });
      this.#register(path, error, () => null);
      return h("div", { class: "field field-boolean", dataset: { path: pathKey(path) } },
        h("label", { for: id }, control, ` ${title}`),
        property.description ? h("p", { class: "help" }, property.description) : null, error);
    }
    if (schema.type === "number" || schema.type === "integer") {
      control = h("input", {
        id, type: "number", value: current ?? "", step: "any",
        oninput: () => set(control.value === "" ? null : Number(control.value)),
      });
    } else if (schema.enum) {
      control = h("select", { id, onchange: () => set(control.value) },
        schema.enum.map((option) => h("option", { value: option, selected: option === current }, option)));
    } else if (schema.ui === "destination") {
      control = this.#accountPicker(id, current, (name) => set(name, { redraw: true }));
    } else if (schema.ui === "group") {
      control = h("select", { id, onchange: () => set(control.value) },
        h("option", { value: "" }, "Choose a group"),
        this.context.groups().map((group) => h("option", { value: group.id, selected: group.id === current }, group.title || group.id)));
    } else if (schema.ui === "variable") {
      const listId = `${id}-variables`;
      control = h("span", { class: "variable-name" },
        h("input", {
          id, type: "text", value: current ?? "", list: listId, autocomplete: "off",
          placeholder: "a variable's name",
          oninput: (event) => set(event.target.value),
          onchange: (event) => this.context.declareVariable(event.target.value),
        }),
        h("datalist", { id: listId }, this.context.variables().map((name) => h("option", { value: name }))));
    } else {
      const multiline = schema.multiline || property.multiline;
      const input = h(multiline ? "textarea" : "input", {
        id, type: multiline ? undefined : "text", rows: multiline ? 3 : undefined,
        class: schema.ui === "expression" ? "code" : undefined,
        oninput: () => set(input.value),
      });
      input.value = current ?? "";
      control = schema.ui === "template"
        ? h("span", { class: "with-picker" }, input, variablePicker(input, this.context))
        : input;
    }
    this.#register(path, error, () =>
      required && schema.type === "string" && !String(holder[key] ?? "").trim() ? `${shownTitle} is required` : null);
    return wrap(control);
  }

  #accountPicker(id, current, choose) {
    const accounts = this.context.accounts();
    const flowAccount = this.context.flowAccount?.();
    const flowLabel = flowAccount ? accountLabel(accounts.find((a) => a.name === flowAccount) || { name: flowAccount }) : "";
    const select = h("select", { id, onchange: () => choose(select.value) },
      h("option", { value: "" }, flowAccount ? `The flow's account (${flowLabel})` : "The flow's account (none set: segflow's default)"),
      accounts.map((account) =>
        h("option", { value: account.name, selected: account.name === current },
          account.builtIn ? accountLabel(account) : `${account.name} (${account.region.toUpperCase()}, key ${account.writeKeyHint})`)));
    const add = h("button", {
      type: "button", class: "add-account",
      onclick: async () => {
        const name = await this.context.addAccount();
        if (name) choose(name);
      },
    }, "Add Segment account");
    const manage = this.context.manageAccounts
      ? h("button", { type: "button", class: "manage-accounts", onclick: () => this.context.manageAccounts() }, "Manage accounts")
      : null;
    return h("span", { class: "account-picker" }, select, h("span", { class: "account-buttons" }, add, manage));
  }

  #itemList(key, schema, holder, path, title, shownTitle) {
    if (!Array.isArray(holder[key])) holder[key] = [];
    const items = holder[key];
    const itemSchema = resolve(schema.items, this.root);
    const singular = (itemSchema.title || title).replace(/Item$/, "");
    const least = schema.minItems || 0;
    return h("fieldset", { class: "field item-list", dataset: { path: pathKey(path) } },
      h("legend", {}, title),
      items.map((item, index) =>
        h("div", { class: "list-item" },
          h("div", { class: "list-item-header" },
            h("span", {}, `${singular} ${index + 1}`),
            items.length > least
              ? h("button", {
                  type: "button", class: "remove", "aria-label": `Remove ${singular} ${index + 1}`,
                  onclick: () => { items.splice(index, 1); this.#changed(null, { redraw: true }); },
                }, "×")
              : null),
          this.#properties(itemSchema, item, [...path, index], `${shownTitle} #${index + 1}`))),
      h("button", {
        type: "button", class: "add-row",
        onclick: () => { items.push(newValue(itemSchema, this.root)); this.#changed(null, { redraw: true }); },
      }, `+ Add ${singular.toLowerCase()}`));
  }
}

function asIndex(part) {
  return /^\d+$/.test(part) ? Number(part) : part;
}
