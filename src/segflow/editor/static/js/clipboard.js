// Copy, paste and duplicate of blocks and groups. What is copied is kept in this browser's
// storage, so it can be pasted into another flow too.

import { addCopyOfGroup, addGroup, copyOfBlock, dropExitsToMissingGroups, findBlock, findGroup, insertBlock } from "./flow-ops.js";

const STORAGE_KEY = "segflow:editor:clipboard";
const OFFSET = 40; // a copied group lands beside its original

export class FlowClipboard {
  constructor(editor) {
    this.editor = editor;
  }

  get content() {
    try {
      return JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
    } catch {
      return null; // not ours: nothing to paste
    }
  }

  // What the selection holds, copied: true if there was something to copy.
  copy() {
    const { selection, store } = this.editor;
    let content = null;
    if (selection?.kind === "block") {
      const found = findBlock(store.doc, selection.blockId);
      if (found) content = { kind: "block", block: found.block };
    } else if (selection?.kind === "group") {
      const group = findGroup(store.doc, selection.groupId);
      if (group) content = { kind: "group", group };
    }
    if (!content) return false;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(content));
    this.editor.announce(`Copied the ${content.kind}`);
    return true;
  }

  // A block goes after the selected block, at the end of the selected group, or in a new
  // group; a group beside the one it was copied from (or amid the view).
  paste() {
    const content = this.content;
    if (content?.kind === "block") this.#addBlock(content.block);
    else if (content?.kind === "group") this.#addGroup(content.group);
    else return false;
    return true;
  }

  duplicate() {
    const { selection, store } = this.editor;
    if (selection?.kind === "block") {
      const found = findBlock(store.doc, selection.blockId);
      if (found) this.#addBlock(found.block);
    } else if (selection?.kind === "group") {
      const group = findGroup(store.doc, selection.groupId);
      if (group) this.#addGroup(group);
    }
  }

  #addBlock(block) {
    const editor = this.editor;
    const copy = copyOfBlock(block);
    const exitKeys = (inner) => editor.catalog.exitKeys(inner);
    editor.store.change((doc) => {
      dropExitsToMissingGroups(doc, copy, exitKeys);
      const selection = editor.selection;
      const found = selection?.kind === "block" ? findBlock(doc, selection.blockId) : null;
      if (found) insertBlock(doc, found.group.id, found.index + 1, copy);
      else if (selection?.kind === "group" && findGroup(doc, selection.groupId)) insertBlock(doc, selection.groupId, Infinity, copy);
      else addGroup(doc, editor.canvas.centre(), [copy]);
    });
    editor.select({ kind: "block", blockId: copy.id }, { focus: true });
    editor.announce(`Added a copy of the ${editor.catalog.title(block.type)} block`);
  }

  #addGroup(group) {
    const editor = this.editor;
    const original = findGroup(editor.store.doc, group.id);
    const from = original?.position || editor.canvas.centre();
    let copy = null;
    editor.store.change((doc) => {
      copy = addCopyOfGroup(doc, group, { x: from.x + OFFSET, y: from.y + OFFSET }, (block) => editor.catalog.exitKeys(block));
    });
    editor.select({ kind: "group", groupId: copy.id }, { focus: true });
    editor.announce(`Added the group ${copy.title}`);
  }
}
