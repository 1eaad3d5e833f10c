// The palette: block types by family. Drag one onto a group (or the empty canvas, for a new
// group); a click, Enter or Space adds it to the selected group, or to a new one.

import { h } from "./dom.js";
import { CATEGORIES } from "./blocks.js";
import { trackPointer, DragGhost } from "./dragging.js";
import { addGroup, findBlock, findGroup, insertBlock } from "./flow-ops.js";

export function renderPalette(element, editor, canvas) {
  const sections = CATEGORIES.map((category) => {
    const types = editor.catalog.inCategory(category.name);
    if (!types.length) return null;
    return h("section", { class: "palette-section" },
      h("h3", {}, category.title),
      types.map((type) =>
        h("button", {
          type: "button",
          class: `palette-item category-${type.category}`,
          title: type.description || `Add ${/^[aeiou]/i.test(type.title) ? "an" : "a"} ${type.title} block`,
          dataset: { blockType: type.name },
          onpointerdown: (event) => drag(event, type, editor, canvas),
          onclick: (event) => {
            add(editor, type.name, clickTarget(editor, canvas));
            if (event.detail === 0) editor.editSelection(); // from the keyboard: on to its settings
          },
        }, type.title)));
  });
  element.replaceChildren(h("h2", {}, "Blocks"), ...sections);
}

function drag(event, type, editor, canvas) {
  if (event.button !== 0) return;
  event.preventDefault();
  let ghost = null;
  trackPointer(event, {
    onMove: (move) => {
      ghost ??= new DragGhost(h("div", { class: "block" }, type.title));
      ghost.follow(move);
      canvas.showDropMarker(canvas.dropTargetAt(move.clientX, move.clientY));
    },
    onEnd: (end, moved) => {
      ghost?.remove();
      canvas.showDropMarker(null);
      if (!moved) return; // a click: see onclick
      const target = canvas.dropTargetAt(end.clientX, end.clientY);
      if (target) add(editor, type.name, target);
    },
  });
}

// A click adds to the selected group (after the selected block), else to a new group.
function clickTarget(editor, canvas) {
  const { selection, store } = editor;
  if (selection?.kind === "block") {
    const found = findBlock(store.doc, selection.blockId);
    if (found) return { groupId: found.group.id, index: found.index + 1 };
  }
  if (selection?.kind === "group" && findGroup(store.doc, selection.groupId)) {
    return { groupId: selection.groupId, index: Infinity };
  }
  return { point: canvas.centre() };
}

function add(editor, typeName, target) {
  const block = editor.catalog.newBlock(typeName);
  editor.store.change((doc) => {
    if (target.groupId) insertBlock(doc, target.groupId, target.index, block);
    else addGroup(doc, target.point, [block]);
  });
  editor.select({ kind: "block", blockId: block.id });
}
