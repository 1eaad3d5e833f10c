// Traits and properties: rows of key, value and the type the value is sent as. Whether a
// typed value converts (a number, a boolean, JSON) is segflow's to say: the row shows the
// problem the server found at its value.

import { h } from "./dom.js";
import { resolve } from "./schema.js";
import { variablePicker } from "./variable-picker.js";

// registerCheck(path, errorElement, check): where the form shows the problems of a row's value.
export function keyValueList({ path, title, schema, root, rows, onChange, context, registerCheck }) {
  const rowSchema = resolve(schema.items, root);
  const types = resolve(rowSchema.properties.type, root).enum || ["text"];
  const list = h("div", { class: "key-values" });
  const singular = title.replace(/ies$/, "y").replace(/s$/, "");

  const render = () => {
    list.replaceChildren();
    rows.forEach((row, index) => list.append(rowView(row, index)));
    list.append(
      h("button", {
        type: "button",
        class: "add-row",
        onclick: () => {
          rows.push({ key: "", value: "", type: types[0] });
          onChange(rows, null);
          render();
          list.querySelectorAll(".kv-key")[rows.length - 1]?.focus();
        },
      }, `+ Add ${singular.toLowerCase()}`),
    );
  };

  const rowView = (row, index) => {
    const rowPath = [...path, index, "value"];
    const error = h("p", { class: "field-error", role: "alert", hidden: true });
    const changed = (key) => onChange(rows, `${path.join(".")}.${index}.${key}`);
    const keyInput = h("input", {
      type: "text", class: "kv-key", value: row.key ?? "", placeholder: "key",
      "aria-label": `${singular} ${index + 1} key`,
      oninput: () => { row.key = keyInput.value; changed("key"); },
    });
    const valueInput = h("input", {
      type: "text", class: "kv-value", value: row.value ?? "", placeholder: "value",
      "aria-label": `${singular} ${index + 1} value`,
      oninput: () => { row.value = valueInput.value; changed("value"); },
    });
    const typeSelect = h("select", {
      class: "kv-type", "aria-label": `${singular} ${index + 1} type`,
      onchange: () => { row.type = typeSelect.value; changed("type"); },
    }, types.map((type) => h("option", { value: type, selected: (row.type || types[0]) === type }, type)));
    const remove = h("button", {
      type: "button", class: "remove", title: "Remove", "aria-label": `Remove ${singular.toLowerCase()} ${index + 1}`,
      onclick: () => { rows.splice(index, 1); onChange(rows, null); render(); },
    }, "×");
    const view = h(
      "div",
      { class: "kv-row field", dataset: { path: rowPath.join(".") } },
      h("div", { class: "kv-inputs" }, keyInput, valueInput, variablePicker(valueInput, context), typeSelect, remove),
      error,
    );
    registerCheck(rowPath, error, () => null);
    return view;
  };

  render();
  return list;
}
