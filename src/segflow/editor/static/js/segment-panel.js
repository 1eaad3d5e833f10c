// The Segment block's settings: the action picker above the action's own form (account
// picker included, from the schema's "destination" field, with the accounts manager), and
// "Send test event".

import { accountLabel } from "./accounts.js";
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

// The accounts manager, opened from the Segment panel or the Flow panel; a rename is followed
// by the open flow too, then the panel shows the accounts as they are now.
export async function manageAccounts(editor) {
  await editor.accounts.manage({
    onRenamed: (old, renamed) => editor.store.change((doc) => renameAccount(doc, old, renamed)),
  });
  editor.panel.render();
}

function renameAccount(doc, old, renamed) {
  if (doc.segment?.destination === old) doc.segment.destination = renamed;
  for (const group of doc.groups || []) {
    for (const block of group.blocks || []) {
      if (block.type === "segment" && block.destination === old) block.destination = renamed;
    }
  }
}

// The first account picked on a block of a flow that has none becomes the flow's account, so
// the next Segment blocks (which name none) send there too.
function adoptingAccount(block, editor, onChange, notice) {
  let previous = block.destination || "";
  return (value, key) => {
    onChange(value, key);
    const picked = value.destination || "";
    if (picked === previous) return;
    previous = picked;
    if (!picked || editor.store.doc.segment?.destination) return;
    editor.store.change((doc) => { doc.segment = { ...(doc.segment || {}), destination: picked }; }, { origin: "panel" });
    const account = editor.accounts.list.find((item) => item.name === picked) || { name: picked };
    notice.textContent = `${accountLabel(account)} is now also the flow's account: Segment blocks that name no account send there. Change it in the Flow panel.`;
    notice.hidden = false;
  };
}

export function segmentSettings({ block, type, schema, editor, onChange }) {
  const tag = type.schema.discriminator.propertyName;
  const actions = variantsOf(type.schema).map((variant) => variant.properties[tag].const);
  const picker = h("select", {
    id: "segment-action",
    onchange: () => editor.replaceBlock(switchAction(block, type, picker.value)),
  }, actions.map((action) => h("option", { value: action, selected: action === block[tag] }, action)));
  const notice = h("p", { class: "account-notice help", role: "status", hidden: true });
  const context = {
    ...editor.formContext(),
    flowAccount: () => editor.store.doc.segment?.destination || "",
    manageAccounts: () => manageAccounts(editor),
  };
  const form = new SchemaForm({
    schema, root: type.schema, value: block, context, skip: [tag],
    onChange: adoptingAccount(block, editor, onChange, notice),
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
    notice,
    h("div", { class: "panel-actions" }, test));
  return { element: section, form };
}
