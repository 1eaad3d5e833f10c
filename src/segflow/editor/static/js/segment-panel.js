// The Segment block's settings: the action picker above the action's own form (account
// picker included, from the schema's "destination" field), and "Send test event".

import { h } from "./dom.js";
import { newObject, variantsOf } from "./schema.js";
import { SchemaForm } from "./schema-form.js";
import { sendTestEvent } from "./test-event.js";

// Options for another action, keeping the values the two actions share.
export function switchAction(block, type, action) {
  const tag = type.schema.discriminator.propertyName;
  const variant = variantsOf(type.schema).find((candidate) => candidate.properties[tag].const === action);
  const switched = { id: block.id, type: block.type, ...newObject(variant, type.schema) };
  if (block.next) switched.next = block.next;
  for (const [key, value] of Object.entries(block)) {
    if (key in variant.properties && key !== tag) switched[key] = value;
  }
  return switched;
}

export function segmentSettings({ block, type, schema, editor, onChange }) {
  const tag = type.schema.discriminator.propertyName;
  const actions = variantsOf(type.schema).map((variant) => variant.properties[tag].const);
  const picker = h("select", {
    id: "segment-action",
    onchange: () => editor.replaceBlock(switchAction(block, type, picker.value)),
  }, actions.map((action) => h("option", { value: action, selected: action === block[tag] }, action)));
  const form = new SchemaForm({
    schema, root: type.schema, value: block, context: editor.formContext(), onChange, skip: [tag],
  });
  const test = h("button", {
    type: "button",
    class: "send-test",
    onclick: () => sendTestEvent(editor.block(block.id), editor.store.doc.segment?.destination),
  }, "Send test event");
  const section = h("div", { class: "segment-settings" },
    h("div", { class: "field" }, h("label", { for: "segment-action" }, "Action"), picker,
      h("p", { class: "help" }, schema.description || "")),
    form.element,
    h("div", { class: "panel-actions" }, test));
  return { element: section, form };
}
