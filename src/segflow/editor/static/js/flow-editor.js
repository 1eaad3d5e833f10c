// The flow editor: toolbar, palette, canvas, settings panel and preview around one flow's
// draft. Every change is checked by the API as you go; a draft without problems is saved.

import { api } from "./api.js";
import { Accounts } from "./accounts.js";
import { BlockCatalog } from "./blocks.js";
import { FlowCanvas } from "./canvas.js";
import { h, isTyping } from "./dom.js";
import { declareVariable, findBlock, findGroup, removeBlock, removeExit, removeGroup } from "./flow-ops.js";
import { FlowHistory } from "./history.js";
import { renderPalette } from "./palette.js";
import { PreviewPanel } from "./preview.js";
import { isError, ProblemIndex } from "./problems.js";
import { SettingsPanel } from "./settings-panel.js";
import { SharePanel } from "./share-panel.js";

const CHECK_DELAY_MS = 400;

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
    this.dirty = false;
    this.revision = 0;
    this.syncing = Promise.resolve(true);

    this.#layout(root);
    this.canvas = new FlowCanvas(this.canvasElement, this);
    this.panel = new SettingsPanel(this.panelElement, this);
    this.preview = new PreviewPanel(this.previewElement, this);
    this.sharing = new SharePanel(this.shareElement);
    renderPalette(this.paletteElement, this, this.canvas);

    this.store.addEventListener("change", (event) => this.#changed(event.detail.origin));
    this.onKey = (event) => this.#key(event);
    this.onLeave = (event) => {
      if (this.dirty) event.preventDefault();
    };
    document.addEventListener("keydown", this.onKey);
    window.addEventListener("beforeunload", this.onLeave);
    this.canvas.render();
    this.panel.render();
    this.#updateButtons();
    this.#queueSync();
  }

  destroy() {
    clearTimeout(this.timer);
    this.preview.close();
    document.removeEventListener("keydown", this.onKey);
    window.removeEventListener("beforeunload", this.onLeave);
  }

  // -- what the canvas, panel and palette use --------------------------------------------

  select(selection) {
    this.selection = selection;
    this.canvas.render();
    this.panel.render();
  }

  block(blockId) {
    return findBlock(this.store.doc, blockId)?.block || null;
  }

  // A change made in the settings form: the panel already shows it.
  updateBlock(blockId, block, key) {
    this.store.change((doc) => {
      const found = findBlock(doc, blockId);
      if (found) found.group.blocks[found.index] = block;
    }, { key: key === null ? null : `${blockId}:${key}`, origin: "panel" });
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
      else if (selection.kind === "group") {
        removeGroup(doc, selection.groupId, (block) => this.catalog.exitKeys(block).map(({ key }) => key));
      }
      else if (selection.kind === "exit") removeExit(doc, selection.source);
    });
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
    if (await this.saveNow()) return true;
    return `The draft has ${this.#problemCount()}: fix ${this.problems.count === 1 ? "it" : "them"} to chat with it.`;
  }

  // Checks and saves the draft now; true when it is saved.
  saveNow() {
    clearTimeout(this.timer);
    this.syncing = this.syncing.then(() => this.#sync());
    return this.syncing;
  }

  // -- layout ------------------------------------------------------------------------------

  #layout(root) {
    this.status = h("button", { type: "button", class: "save-status", onclick: () => this.#toggleProblems() }, "Checking…");
    this.problemList = h("div", { class: "problem-list", hidden: true });
    this.undoButton = h("button", { type: "button", title: "Undo (Ctrl+Z)", onclick: () => this.store.undo() }, "Undo");
    this.redoButton = h("button", { type: "button", title: "Redo (Ctrl+Shift+Z)", onclick: () => this.store.redo() }, "Redo");
    this.versionLabel = h("span", { class: "version" });
    this.changesMarker = h("span", { class: "unpublished-changes", hidden: true,
      title: "The draft differs from the published version: publish it for new chats to use it" }, "Unpublished changes");
    this.shareButton = h("button", { type: "button", class: "share-button", onclick: () => this.#share() }, "Share");
    this.title = h("span", { class: "flow-title" });
    this.paletteElement = h("aside", { class: "palette", "aria-label": "Blocks" });
    this.canvasElement = h("div", { class: "canvas", tabindex: "0", "aria-label": "Flow canvas" });
    this.panelElement = h("aside", { class: "settings", "aria-label": "Settings" });
    this.previewElement = h("aside", { class: "preview", hidden: true, "aria-label": "Preview" });
    this.shareElement = h("aside", { class: "share-panel", hidden: true, "aria-label": "Share" });
    const toolbar = h("header", { class: "toolbar" },
      h("a", { href: "#/", class: "back" }, "← Flows"),
      this.title, this.versionLabel, this.changesMarker,
      h("div", { class: "history-buttons" }, this.undoButton, this.redoButton),
      h("div", { class: "spacer" }),
      this.status,
      h("button", { type: "button", class: "preview-button", onclick: () => this.#togglePreview() }, "Preview"),
      this.shareButton,
      h("button", { type: "button", class: "primary publish", onclick: () => this.#publish() }, "Publish"));
    root.replaceChildren(h("div", { class: "flow-editor" },
      toolbar, this.problemList, this.paletteElement, this.canvasElement, this.panelElement, this.previewElement,
      this.shareElement));
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

  // -- changes, checks and saving --------------------------------------------------------

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
    this.dirty = true;
    this.#setStatus("Unsaved changes…", "pending");
    this.#queueSync();
  }

  #queueSync() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.saveNow(), CHECK_DELAY_MS);
  }

  async #sync() {
    const doc = this.store.doc;
    const revision = ++this.revision;
    try {
      const { problems } = await api.checkDraft(this.flowId, doc);
      if (revision !== this.revision || doc !== this.store.doc) return false;
      this.#showProblems(problems);
      if (this.problems.count) {
        this.#setStatus(`Not saved: ${this.#problemCount()}`, "error");
        return false;
      }
      if (this.dirty) {
        const saved = await api.saveDraft(this.flowId, doc);
        this.unpublishedChanges = saved.unpublishedChanges;
        this.#updateButtons();
      }
      if (doc === this.store.doc) {
        this.dirty = false;
        this.#setStatus(`Saved${this.#warningNote()}`, "ok");
      }
      return true;
    } catch (error) {
      this.#setStatus(`Not saved: ${error.message}`, "error");
      return false;
    }
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
    this.problems = new ProblemIndex(problems);
    this.canvas.render();
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

  #setStatus(text, kind) {
    this.status.textContent = text;
    this.status.className = `save-status ${kind}`;
  }

  async #publish() {
    if (!(await this.saveNow())) {
      this.problemList.hidden = this.problems.count === 0;
      return;
    }
    try {
      const published = await api.publish(this.flowId);
      this.publishedVersion = published.version;
      this.unpublishedChanges = false;
      this.#updateButtons();
      this.#setStatus(`Published version ${published.version}${this.#warningNote()}`, "ok");
      this.#share();
    } catch (error) {
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
    if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
    const command = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (command && key === "z") {
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
