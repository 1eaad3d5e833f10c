// "Connect to…": the keyboard's way to draw an exit. Pick one of the selection's exits and the
// group it leads to (or nowhere, to remove it).

import { h } from "./dom.js";
import { itemLabel } from "./blocks.js";
import { entryGroup, exitGroup, findBlock, findGroup } from "./flow-ops.js";
import { openDialog } from "./dialogs.js";

const NOWHERE = "";

// The exits a selection holds: [{source, title, target}].
export function exitsOfSelection(doc, catalog, selection) {
  if (!selection) return [{ source: { start: true }, title: "Start", target: entryGroup(doc) }];
  if (selection.kind === "exit") {
    return exitsOfSelection(doc, catalog, selection.source.start ? null : { kind: "block", blockId: selection.source.blockId })
      .filter((exit) => JSON.stringify(exit.source) === JSON.stringify(selection.source));
  }
  if (selection.kind === "group") {
    const group = findGroup(doc, selection.groupId);
    return (group?.blocks || []).flatMap((block) => blockExits(block, catalog, true));
  }
  const found = findBlock(doc, selection.blockId);
  return found ? blockExits(found.block, catalog, false) : [];
}

function blockExits(block, catalog, named) {
  const prefix = named ? `${catalog.title(block.type)}: ` : "";
  const itemsKey = catalog.itemsKey(block);
  const exits = [];
  (itemsKey ? block[itemsKey] || [] : []).forEach((item, index) => exits.push({
    source: { blockId: block.id, itemsKey, index }, title: `${prefix}${itemLabel(item, index)}`, target: exitGroup(item.next),
  }));
  for (const { key, title } of catalog.exitKeys(block)) {
    exits.push({ source: { blockId: block.id, key }, title: `${prefix}${title}`, target: exitGroup(block[key]) });
  }
  exits.push({
    source: { blockId: block.id }, title: `${prefix}${itemsKey ? "Exit when no item applies" : "Exit"}`, target: exitGroup(block.next),
  });
  return exits;
}

// Answers {source, groupId} (groupId "" to remove the exit), or null when cancelled.
export function askConnection(doc, exits, groupTitle) {
  const exitChoice = h("select", { id: "connect-exit" },
    exits.map((exit, index) => h("option", { value: String(index) }, exit.title)));
  const groupChoice = h("select", { id: "connect-group" });
  const showTargets = () => {
    const exit = exits[Number(exitChoice.value)];
    const nowhere = exit.source.start ? [] : [h("option", { value: NOWHERE }, "Nowhere (no exit)")];
    groupChoice.replaceChildren(...nowhere,
      ...doc.groups.map((group) => h("option", { value: group.id, selected: group.id === exit.target }, groupTitle(group))));
    if (!exit.target && !exit.source.start) groupChoice.value = NOWHERE;
  };
  exitChoice.addEventListener("change", showTargets);
  showTargets();
  return openDialog({
    title: "Connect to…",
    className: "connect-dialog",
    body: h("div", {},
      h("label", { class: "dialog-field", for: "connect-exit" }, "Exit"), exitChoice,
      h("label", { class: "dialog-field connect-target", for: "connect-group" }, "Leads to the group"), groupChoice),
    actions: [
      { label: "Cancel" },
      { label: "Connect", primary: true, run: () => ({ source: exits[Number(exitChoice.value)].source, groupId: groupChoice.value }) },
    ],
  });
}
