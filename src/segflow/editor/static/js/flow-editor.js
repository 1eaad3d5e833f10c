// The flow editor: toolbar, palette, canvas, settings panel and preview around one flow's
// draft. Every change is saved as you go (see saving.js), and the API's answer shows the
// draft's problems.

import { api } from "./api.js";
import { Accounts } from "./accounts.js";
import { BlockCatalog } from "./blocks.js";
import { FlowCanvas } from "./canvas.js";
import { FlowClipboard } from "./clipboard.js";
import { askConnection, exitsOfSelection } from "./connect-dialog.js";
import { contextMenuIsOpen, openContextMenu } from "./context-menu.js";
import { openDialog } from "./dialogs.js";
import { h, isTyping } from "./dom.js";
import { declareVariable, findBlock, findGroup, removeBlock, removeExit, removeGroup, setExit, withBlock } from "./flow-ops.js";
import { FlowHistory } from "./history.js";
import { moveSelected, nextSelection, showShortcuts } from "./keyboard.js";
import { renderPalette } from "./palette.js";
import { PreviewPanel } from "./preview.js";
import { isError, ProblemIndex } from "./problems.js";
import { discardKept, DraftSaver, keptDraft } from "./saving.js";
import { renameVariable } from "./renaming.js";
import { SettingsPanel } from "./settings-panel.js";
import { SharePanel } from "./share-panel.js";

export async function openFlowEditor(root, flowId) {
  const accounts = new Accounts();
  const [flow, types] = await Promise.all([api.getFlow(flowId), api.blockTypes(), accounts.load()]);
  return new FlowEditor(root, flow, new BlockCatalog(types), accounts);
}

class FlowEditor {
  constructor(root, flow, catalog, accounts) {
    this.flowId = flow.id;
    this.publishedVersion = flow.publishedVersion;
    this.unpublishedChanges = flow.unpublishedChanges;
    this.typebotId = flow.typebotId;
    this.catalog = catalog;
    this.accounts = accounts;
    this.store = new FlowHistory(flow.draft);
    this.problems = new ProblemIndex();
    this.selection = null;
    this.clipboard = new FlowClipboard(this);
    this.smallScreen = window.matchMedia("(max-width: 699px)");
    this.saver = new DraftSaver(flow.id, flow.revision, this.store.doc, {
      doc: () => this.store.doc,
      saved: (answer, doc) => this.#saved(answer, doc),
      showSaved: () => this.#showSaved(),
      status: (text, kind, canRetry) => this.#setStatus(text, kind, canRetry),
      conflict: (body) => this.#conflict(body),
    });

    this.#layout(root);
    this.canvas = new FlowCanvas(this.canvasElement, this);
    this.panel = new SettingsPanel(this.panelElement, this);
    this.preview = new PreviewPanel(this.previewElement, this);
    this.sharing = new SharePanel(this.shareElement);
    renderPalette(this.paletteElement, this, this.canvas);

    this.store.addEventListener("change", (event) => this.#changed(event.detail.origin));
    this.onKey = (event) => this.#key(event);
    this.onLeave = (event) => {
      if (!this.saver.busy) return;
      event.preventDefault();
      event.returnValue = "";
    };
    document.addEventListener("keydown", this.onKey);
    window.addEventListener("beforeunload", this.onLeave);
    this.canvas.render();
    if (this.readOnly) this.canvas.fit(); // the whole flow at a glance on a phone
    this.panel.render();
    this.#updateButtons();
    if (!this.#restoreKept()) this.#checkProblems();
  }

  // Whether the editor may close: yes once everything is saved; else the person decides.
  async mayLeave() {
    if (!this.saver.busy || (await this.saver.saveNow())) return true;
    if (this.saver.conflicted) return false; // its dialog asks first
    const leave = await openDialog({
      title: "Unsaved changes",
      body: h("p", {}, `The latest changes are not saved (${this.saver.reason}). This browser keeps them and ` +
        "saves them when this flow is opened here again; until then nobody else sees them."),
      actions: [
        { label: "Leave anyway", danger: true, run: () => true },
        { label: "Stay", primary: true, run: () => false },
      ],
    });
    return leave === true;
  }

  destroy() {
    this.saver.stop();
    this.preview.close();
    document.removeEventListener("keydown", this.onKey);
    window.removeEventListener("beforeunload", this.onLeave);
  }

  // -- what the canvas, panel and palette use --------------------------------------------

  // `focus` moves the keyboard's focus onto the selection on the canvas.
  select(selection, { focus = false } = {}) {
    this.selection = selection;
    this.canvas.render();
    this.panel.render();
    if (focus) this.canvas.focusSelection();
  }

  // What a keyboard command did, for screen readers.
  announce(text) {
    this.announcer.textContent = text;
  }

  // A phone-sized screen shows the flow without its editing controls.
  get readOnly() {
    return this.smallScreen.matches;
  }

  // The first field of the selection's settings, for the keyboard.
  editSelection() {
    const field = this.panelElement.querySelector("input, select, textarea, button:not(.variable-picker)");
    field?.focus();
  }

  // A variable renamed in the Flow panel is renamed wherever the flow refers to it.
  renameVariable(from, to) {
    const catalog = this.catalog;
    this.store.change((doc) => renameVariable(doc, from, to,
      (block) => ({ schema: catalog.schemaOf(block), root: catalog.get(block.type)?.schema })), { origin: "panel" });
  }

  async connect() {
    const exits = exitsOfSelection(this.store.doc, this.catalog, this.selection);
    if (!exits.length) return this.#notify("This selection has no exit to connect.");
    const choice = await askConnection(this.store.doc, exits, (group) => group.title || group.id);
    if (choice) {
      this.store.change((doc) => {
        if (choice.groupId) setExit(doc, choice.source, choice.groupId);
        else removeExit(doc, choice.source);
      });
      const group = findGroup(this.store.doc, choice.groupId);
      this.announce(group ? `Connected to ${group.title || group.id}` : "Exit removed");
    }
    this.canvas.focusSelection();
  }

  openMenu(x, y) {
    const selected = this.selection?.kind === "block" || this.selection?.kind === "group";
    const pasted = this.clipboard.content;
    openContextMenu({
      x, y,
      label: selected ? `${this.selection.kind === "block" ? "Block" : "Group"} actions` : "Canvas actions",
      restore: () => this.canvas.focusSelection(),
      items: [
        { label: "Duplicate", shortcut: "Ctrl+D", disabled: !selected, run: () => this.clipboard.duplicate() },
        { label: "Copy", shortcut: "Ctrl+C", disabled: !selected, run: () => this.clipboard.copy() },
        { label: pasted ? `Paste ${pasted.kind}` : "Paste", shortcut: "Ctrl+V", disabled: !pasted, run: () => this.clipboard.paste() },
        { label: "Delete", shortcut: "Delete", disabled: !selected, run: () => this.deleteSelection() },
      ],
    });
  }

  block(blockId) {
    return findBlock(this.store.doc, blockId)?.block || null;
  }

  // A change made in the settings form: the panel already shows it.
  updateBlock(blockId, block, key) {
    this.store.put(withBlock(this.store.doc, blockId, block), { key: key === null ? null : `${blockId}:${key}`, origin: "panel" });
  }

  // A change of the block's shape (another Segment action): the panel is drawn again.
  replaceBlock(block) {
    this.store.change((doc) => {
      const found = findBlock(doc, block.id);
      if (found) found.group.blocks[found.index] = block;
    });
  }

  deleteSelection() {
    const selection = this.selection;
    if (!selection) return;
    this.selection = null;
    this.store.change((doc) => {
      if (selection.kind === "block") removeBlock(doc, selection.blockId);
      else if (selection.kind === "group") removeGroup(doc, selection.groupId, (block) => this.catalog.exitKeys(block));
      else if (selection.kind === "exit") removeExit(doc, selection.source);
    });
    this.announce(`Deleted the ${selection.kind}`);
  }

  formContext() {
    return {
      variables: () => (this.store.doc.variables || []).map((variable) => variable.name),
      declareVariable: (name) => {
        const known = (this.store.doc.variables || []).some((variable) => variable.name === name.trim());
        if (name.trim() && !known) this.store.change((doc) => declareVariable(doc, name), { origin: "panel" });
      },
      groups: () => this.store.doc.groups.map((group) => ({ id: group.id, title: group.title })),
      accounts: () => this.accounts.list,
      addAccount: () => this.accounts.add(),
    };
  }

  // true, or why the preview cannot start.
  async readyToPreview(source) {
    if (source === "published") {
      return this.publishedVersion ? true : "This flow is not published yet: publish it, or chat with the draft.";
    }
    if (!(await this.saver.saveNow())) {
      return `The draft is not saved yet (${this.saver.reason}): the preview chats with the saved draft.`;
    }
    if (!this.problems.count) return true;
    return `The draft has ${this.#problemCount()}: fix ${this.problems.count === 1 ? "it" : "them"} to chat with it.`;
  }

  // -- layout ------------------------------------------------------------------------------

  #layout(root) {
    this.status = h("button", { type: "button", class: "save-status", onclick: () => this.#toggleProblems() }, "Checking…");
    this.retryButton = h("button", { type: "button", class: "retry-now", hidden: true, onclick: () => this.saver.saveNow() },
      "Retry now");
    this.notice = h("div", { class: "editor-notice", role: "status", hidden: true });
    this.announcer = h("div", { class: "visually-hidden", role: "status", "aria-live": "polite" });
    this.problemList = h("div", { class: "problem-list", hidden: true });
    this.undoButton = h("button", { type: "button", title: "Undo (Ctrl+Z)", onclick: () => this.store.undo() }, "Undo");
    this.redoButton = h("button", { type: "button", title: "Redo (Ctrl+Shift+Z)", onclick: () => this.store.redo() }, "Redo");
    this.versionLabel = h("span", { class: "version" });
    this.changesMarker = h("span", { class: "unpublished-changes", hidden: true,
      title: "The draft differs from the published version: publish it for new chats to use it" }, "Unpublished changes");
    this.shareButton = h("button", { type: "button", class: "share-button", onclick: () => this.#share() }, "Share");
    this.title = h("span", { class: "flow-title" });
    this.paletteElement = h("aside", { class: "palette", "aria-label": "Blocks" });
    this.canvasElement = h("div", { class: "canvas", tabindex: "0", role: "region", "aria-label": "Flow canvas",
      "aria-roledescription": "canvas", "aria-keyshortcuts": "?" });
    this.panelElement = h("aside", { class: "settings", "aria-label": "Settings" });
    this.previewElement = h("aside", { class: "preview", hidden: true, "aria-label": "Preview" });
    this.shareElement = h("aside", { class: "share-panel", hidden: true, "aria-label": "Share" });
    const toolbar = h("header", { class: "toolbar" },
      h("a", { href: "#/", class: "back" }, "← Flows"),
      this.title, this.versionLabel, this.changesMarker,
      h("div", { class: "history-buttons" }, this.undoButton, this.redoButton),
      h("div", { class: "panel-toggles" },
        this.#panelToggle("Blocks", "palette-collapsed", this.paletteElement),
        this.#panelToggle("Settings", "settings-collapsed", this.panelElement),
        h("button", { type: "button", title: "Keyboard shortcuts (?)", "aria-label": "Keyboard shortcuts", onclick: () => showShortcuts() }, "?")),
      h("p", { class: "read-only-note" }, "Read-only on a small screen"),
      h("div", { class: "spacer" }),
      this.status, this.retryButton,
      h("button", { type: "button", class: "preview-button", onclick: () => this.#togglePreview() }, "Preview"),
      h("a", { class: "button", href: `#/flows/${encodeURIComponent(this.flowId)}/results` }, "Results"),
      this.shareButton,
      h("button", { type: "button", class: "primary publish", onclick: () => this.#publish() }, "Publish"));
    this.root = h("div", { class: "flow-editor" },
      toolbar, this.problemList, this.notice, this.announcer, this.paletteElement, this.canvasElement, this.panelElement, this.previewElement,
      this.shareElement);
    root.replaceChildren(this.root);
  }

  // Hides or shows a side panel, for a wider canvas on a narrow screen.
  #panelToggle(label, collapsed, panel) {
    panel.id = `${collapsed.split("-")[0]}-panel`;
    const button = h("button", { type: "button", class: "panel-toggle", "aria-expanded": "true", "aria-controls": panel.id,
      title: `Show or hide the ${label.toLowerCase()} panel`,
      onclick: () => {
        const hidden = this.root.classList.toggle(collapsed);
        button.setAttribute("aria-expanded", String(!hidden));
      },
    }, label);
    return button;
  }

  #updateButtons() {
    this.undoButton.disabled = !this.store.canUndo;
    this.redoButton.disabled = !this.store.canRedo;
    this.title.textContent = this.store.doc.name || this.flowId;
    this.versionLabel.textContent = this.publishedVersion ? `published: version ${this.publishedVersion}` : "not published yet";
    this.changesMarker.hidden = !this.unpublishedChanges;
    this.shareButton.disabled = !this.publishedVersion;
    this.shareButton.title = this.publishedVersion ? "Share link and website snippets" : "Publish the flow to share it";
  }

  // -- changes, problems and saving ------------------------------------------------------

  #changed(origin) {
    const doc = this.store.doc;
    const selection = this.selection;
    if ((selection?.kind === "block" && !findBlock(doc, selection.blockId)) ||
        (selection?.kind === "group" && !findGroup(doc, selection.groupId))) {
      this.selection = null;
    }
    this.canvas.render();
    if (origin !== "panel") this.panel.render();
    this.#updateButtons();
    this.saver.changed();
  }

  // Changes this browser kept while they could not be saved: shown again, and saved. Kept
  // from an older revision than the server's, their save meets the conflict and asks.
  #restoreKept() {
    const kept = keptDraft(this.flowId);
    if (!kept) return false;
    if (JSON.stringify(kept.doc) === JSON.stringify(this.store.doc)) {
      discardKept(this.flowId); // saved after all
      return false;
    }
    this.saver.revision = kept.baseRevision;
    this.store.replace(kept.doc);
    const when = new Date(kept.keptAt).toLocaleString();
    this.#notify(`Restored the unsaved changes this browser kept (from ${when}); they are being saved.`);
    return true;
  }

  async #checkProblems() {
    const doc = this.store.doc;
    try {
      const { problems } = await api.checkDraft(this.flowId, doc);
      if (doc !== this.store.doc) return;
      this.#showProblems(problems);
      this.#showSaved();
    } catch (error) {
      if (doc === this.store.doc) this.#setStatus(`Problems not checked: ${error.unreachable ? "server unreachable" : error.message}`, "error");
    }
  }

  #saved(answer, doc) {
    this.unpublishedChanges = answer.unpublishedChanges;
    if (doc === this.store.doc) this.#showProblems(answer.problems);
    this.#updateButtons();
  }

  #showSaved() {
    if (this.problems.count) this.#setStatus(`Saved (${this.#problemCount()})`, "problems");
    else this.#setStatus(`Saved${this.#warningNote()}`, "ok");
  }

  async #conflict(body) {
    const when = body.savedAt ? ` at ${new Date(body.savedAt * 1000).toLocaleTimeString()}` : "";
    const choice = await openDialog({
      title: "This flow was changed elsewhere",
      className: "conflict-dialog",
      body: h("div", {},
        h("p", {}, `Another tab or person saved this flow${when} (revision ${body.revision}), after the version ` +
          "your changes started from."),
        h("p", {}, "Reload theirs to continue from their version (your unsaved changes are dropped), or keep " +
          "mine to save yours over theirs.")),
      actions: [
        { label: "Reload theirs", run: () => this.#reloadTheirs() },
        { label: "Keep mine", primary: true, run: () => "mine" },
      ],
    });
    if (choice === "mine") await this.saver.overwrite(body.revision);
  }

  async #reloadTheirs() {
    const flow = await api.getFlow(this.flowId);
    this.saver.reloaded(flow.revision, flow.draft);
    this.publishedVersion = flow.publishedVersion;
    this.unpublishedChanges = flow.unpublishedChanges;
    this.selection = null;
    this.store.reset(flow.draft);
    this.#notify("Reloaded the version saved elsewhere.");
    await this.#checkProblems();
    return "theirs";
  }

  #notify(text) {
    this.notice.replaceChildren(h("span", {}, text),
      h("button", { type: "button", class: "link", onclick: () => { this.notice.hidden = true; } }, "Dismiss"));
    this.notice.hidden = false;
  }

  #warningNote() {
    const count = this.problems.warningCount;
    return count ? ` (${count} warning${count === 1 ? "" : "s"})` : "";
  }

  #problemCount() {
    const count = this.problems.count;
    return `${count} problem${count === 1 ? "" : "s"}`;
  }

  #showProblems(problems) {
    const unchanged = JSON.stringify(problems) === JSON.stringify(this.problems.all);
    this.problems = new ProblemIndex(problems);
    if (!unchanged) this.canvas.render(); // a save answers every few keystrokes
    this.panel.showProblems();
    this.problemList.replaceChildren(
      h("h3", {}, this.problems.count ? `The draft has ${this.#problemCount()}` : `No problems${this.#warningNote()}`),
      h("ul", {}, problems.map((problem) =>
        h("li", {}, h("button", {
          type: "button",
          class: "link",
          onclick: () => {
            if (problem.blockId) this.select({ kind: "block", blockId: problem.blockId });
            else if (problem.groupId) this.select({ kind: "group", groupId: problem.groupId });
            else this.select(null);
          },
        }, isError(problem) ? problem.message : `Warning: ${problem.message}`)))));
    if (!problems.length) this.problemList.hidden = true;
  }

  #toggleProblems() {
    this.problemList.hidden = !this.problemList.hidden || this.problems.all.length === 0;
  }

  #setStatus(text, kind, canRetry = false) {
    this.status.textContent = text;
    this.status.className = `save-status ${kind}`;
    this.retryButton.hidden = !canRetry;
  }

  async #publish() {
    if (!(await this.saver.saveNow())) return; // the status says why
    if (this.problems.count) {
      this.problemList.hidden = false;
      this.#setStatus(`Not published: the draft has ${this.#problemCount()}`, "error");
      return;
    }
    try {
      const published = await api.publish(this.flowId, this.saver.revision);
      this.publishedVersion = published.version;
      this.unpublishedChanges = false;
      this.#updateButtons();
      this.#setStatus(`Published version ${published.version}${this.#warningNote()}`, "ok");
      this.#share();
    } catch (error) {
      if (error.status === 409) return this.#conflict(error.body); // what would it publish?
      this.#showProblems(error.problems || []);
      this.#setStatus(`Not published: ${error.message}`, "error");
    }
  }

  #share() {
    if (!this.publishedVersion) return;
    this.preview.close();
    this.sharing.open({
      flowId: this.flowId,
      typebotId: this.typebotId,
      version: this.publishedVersion,
      title: this.store.doc.name || this.flowId,
    });
  }

  #togglePreview() {
    if (this.preview.isOpen) this.preview.close();
    else {
      this.sharing.close();
      this.preview.open();
    }
  }

  #key(event) {
    if (document.querySelector("dialog[open]") || contextMenuIsOpen() || event.defaultPrevented) return;
    if (event.key === "Escape" && this.panelElement.contains(event.target)) {
      this.canvas.focusSelection(); // back from the settings to what they belong to
      return;
    }
    if (isTyping(event.target)) return;
    const command = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    const onCanvas = this.canvasElement.contains(event.target) || event.target === document.body;
    if (event.key === "?") {
      event.preventDefault();
      showShortcuts();
    } else if (this.readOnly) {
      return; // a small screen only looks
    } else if (onCanvas && event.key.startsWith("Arrow")) {
      event.preventDefault();
      if (event.altKey || command) moveSelected(this, event.key, event.shiftKey);
      else this.select(nextSelection(this.store.doc, this.selection, event.key), { focus: true });
    } else if (onCanvas && (event.key === "ContextMenu" || (event.shiftKey && event.key === "F10"))) {
      event.preventDefault();
      const box = (this.canvasElement.querySelector("[aria-current]") || this.canvasElement).getBoundingClientRect();
      this.openMenu(box.left + 16, box.top + 16);
    } else if (onCanvas && (event.key === "Enter" || event.key === " ") && this.selection) {
      event.preventDefault();
      this.editSelection();
    } else if (onCanvas && !command && !event.altKey && key === "c") {
      event.preventDefault();
      this.connect();
    } else if (!command && !event.altKey && key === "b") {
      event.preventDefault();
      this.paletteElement.querySelector(".palette-item")?.focus();
    } else if (onCanvas && command && key === "c" && !String(window.getSelection())) {
      if (this.clipboard.copy()) event.preventDefault();
    } else if (onCanvas && command && key === "v") {
      if (this.clipboard.paste()) event.preventDefault();
    } else if (onCanvas && command && key === "d") {
      event.preventDefault();
      this.clipboard.duplicate();
    } else if (command && key === "z") {
      event.preventDefault();
      if (event.shiftKey) this.store.redo();
      else this.store.undo();
    } else if (command && key === "y") {
      event.preventDefault();
      this.store.redo();
    } else if (event.key === "Delete" || event.key === "Backspace") {
      if (this.selection) {
        event.preventDefault();
        this.deleteSelection();
      }
    } else if (event.key === "Escape") {
      this.select(null);
    }
  }
}
