// The editor from the keyboard: moving the selection, moving groups and blocks, connecting,
// copying, and the list of shortcuts the "?" key shows.

import { h } from "./dom.js";
import { openDialog } from "./dialogs.js";
import { entryGroup, findBlock, findGroup, moveBlock } from "./flow-ops.js";

export const SHORTCUTS = [
  ["Tab, Shift+Tab", "Go through the palette, the canvas's groups and blocks, and the settings"],
  ["Enter or Space on a palette block", "Add it after the selected block, to the selected group, or in a new group"],
  ["↑ ↓", "Select the previous or next block (or group)"],
  ["← →", "Select the previous or next group"],
  ["Alt+arrows (or Ctrl+arrows)", "Move the selected group or Start on the canvas, or the selected block up, down or to the group beside"],
  ["Shift with Alt+arrows", "Move a group farther"],
  ["Enter or Space", "Edit the selected block or group in the settings"],
  ["Escape", "Back from the settings to the canvas; on the canvas, clear the selection"],
  ["C", "Connect: choose where an exit of the selection leads (with nothing selected: where chats begin)"],
  ["Delete or Backspace", "Delete the selected block, group or exit"],
  ["Ctrl+C, Ctrl+V", "Copy the selected block or group; paste it"],
  ["Ctrl+D", "Duplicate the selected block or group"],
  ["Shift+F10 or the menu key", "Open the menu of the selected block or group"],
  ["Ctrl+Z, Ctrl+Shift+Z", "Undo, redo"],
  ["B", "Go to the palette of blocks"],
  ["?", "Show these shortcuts"],
];

export function showShortcuts() {
  return openDialog({
    title: "Keyboard shortcuts",
    className: "shortcuts-dialog",
    body: h("table", { class: "shortcuts" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Keys"), h("th", { scope: "col" }, "What they do"))),
      h("tbody", {}, SHORTCUTS.map(([keys, what]) => h("tr", {}, h("td", {}, h("kbd", {}, keys)), h("td", {}, what))))),
    actions: [{ label: "Close", primary: true, run: () => null }],
  });
}

// The groups and blocks in the order ↑ ↓ visit them: each group, then its blocks.
function stops(doc) {
  return doc.groups.flatMap((group) => [
    { kind: "group", groupId: group.id },
    ...group.blocks.map((block) => ({ kind: "block", blockId: block.id })),
  ]);
}

function groupOf(doc, selection) {
  if (selection?.kind === "group") return findGroup(doc, selection.groupId);
  if (selection?.kind === "block") return findBlock(doc, selection.blockId)?.group || null;
  return null;
}

// The selection an arrow key leads to from `selection`.
export function nextSelection(doc, selection, key) {
  if (!doc.groups.length) return null;
  const group = groupOf(doc, selection);
  if (!group) return { kind: "group", groupId: doc.groups[0].id };
  if (key === "ArrowLeft" || key === "ArrowRight") {
    const index = doc.groups.indexOf(group) + (key === "ArrowLeft" ? -1 : 1);
    return doc.groups[index] ? { kind: "group", groupId: doc.groups[index].id } : selection;
  }
  const all = stops(doc);
  const at = all.findIndex((stop) => JSON.stringify(stop) === JSON.stringify({ ...selection }));
  return all[at + (key === "ArrowUp" ? -1 : 1)] || selection;
}

// Alt+arrow: a group (or Start) moves on the canvas, a block within its group or to the
// group beside.
export function moveSelected(editor, key, far) {
  const selection = editor.selection;
  const step = far ? 100 : 20;
  const doc = editor.store.doc;
  const dx = key === "ArrowLeft" ? -step : key === "ArrowRight" ? step : 0;
  const dy = key === "ArrowUp" ? -step : key === "ArrowDown" ? step : 0;
  if (selection?.kind === "group") {
    editor.store.change((next) => {
      const group = findGroup(next, selection.groupId);
      const at = group.position || { x: 0, y: 0 };
      group.position = { x: at.x + dx, y: at.y + dy };
    }, { key: `move:${selection.groupId}` });
  } else if (selection?.kind === "exit" && selection.source.start) {
    editor.store.change((next) => {
      const first = findGroup(next, entryGroup(next));
      const at = next.start?.position || { x: (first?.position?.x ?? 0) - 220, y: first?.position?.y ?? 0 };
      next.start = { group: entryGroup(next), ...(next.start || {}), position: { x: at.x + dx, y: at.y + dy } };
    }, { key: "move:start" });
  } else if (selection?.kind === "block") {
    const found = findBlock(doc, selection.blockId);
    if (!found) return;
    const groupIndex = doc.groups.indexOf(found.group);
    let target = null;
    if (key === "ArrowUp" && found.index > 0) target = { groupId: found.group.id, index: found.index - 1 };
    else if (key === "ArrowDown" && found.index < found.group.blocks.length - 1) target = { groupId: found.group.id, index: found.index + 2 };
    else if (key === "ArrowLeft" && doc.groups[groupIndex - 1]) target = { groupId: doc.groups[groupIndex - 1].id, index: Infinity };
    else if (key === "ArrowRight" && doc.groups[groupIndex + 1]) target = { groupId: doc.groups[groupIndex + 1].id, index: Infinity };
    if (!target) return;
    editor.store.change((next) => moveBlock(next, selection.blockId, target.groupId, target.index), { key: `move:${selection.blockId}` });
  }
}
