// The flow document being edited, with undo and redo. A change is a function that edits a
// copy, or the next document itself; typing in one field within a moment counts as one change
// (the same `key`).

const LIMIT = 200;
const COALESCE_MS = 1500;

export class FlowHistory extends EventTarget {
  constructor(document) {
    super();
    this.doc = document;
    this.past = [];
    this.future = [];
    this.lastKey = null;
    this.lastTime = 0;
  }

  change(edit, { key = null, origin = "canvas" } = {}) {
    const next = structuredClone(this.doc);
    edit(next);
    this.put(next, { key, origin });
  }

  // A change given as the next document, built sharing with this one whatever it did not
  // change (see `withBlock`): a keystroke copies one group, not the whole flow. Nothing may
  // edit a document in place but `change`, which edits a copy.
  put(next, { key = null, origin = "canvas" } = {}) {
    const now = Date.now();
    const coalesce = key !== null && key === this.lastKey && now - this.lastTime < COALESCE_MS;
    if (!coalesce) {
      this.past.push(this.doc);
      if (this.past.length > LIMIT) this.past.shift();
    }
    this.lastKey = key;
    this.lastTime = now;
    this.doc = next;
    this.future = [];
    this.#changed(origin);
  }

  // The whole document replaced, e.g. by changes kept in the browser: one change, undoable.
  replace(document, origin = "canvas") {
    this.change((doc) => {
      for (const key of Object.keys(doc)) delete doc[key];
      Object.assign(doc, structuredClone(document));
    }, { origin });
  }

  // Another version loaded, e.g. the one saved elsewhere: nothing to undo back to.
  reset(document) {
    this.doc = document;
    this.past = [];
    this.future = [];
    this.lastKey = null;
    this.#changed("reload");
  }

  undo() {
    if (!this.past.length) return;
    this.future.push(this.doc);
    this.doc = this.past.pop();
    this.lastKey = null;
    this.#changed("history");
  }

  redo() {
    if (!this.future.length) return;
    this.past.push(this.doc);
    this.doc = this.future.pop();
    this.lastKey = null;
    this.#changed("history");
  }

  get canUndo() {
    return this.past.length > 0;
  }

  get canRedo() {
    return this.future.length > 0;
  }

  #changed(origin) {
    this.dispatchEvent(new CustomEvent("change", { detail: { origin } }));
  }
}
