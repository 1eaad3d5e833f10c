// Saving the draft: a moment after each change, problems and all (they keep it from being
// published, not from being saved). Each save names the revision it was based on, so a save
// over someone else's is refused (409) and left to the person to settle. While the server
// cannot be reached, saving is retried with growing waits, and the latest draft is kept in
// this browser meanwhile: a reload, a closed tab or a crash loses nothing.

import { ApiError, api } from "./api.js";
import { newId } from "./ids.js";

const SAVE_DELAY_MS = 400;
const RETRY_SECONDS = [1, 2, 4, 8, 15, 30];

const storageKey = (flowId) => `segflow:unsaved-draft:${flowId}`;

// What this browser kept of a flow's unsaved draft: { doc, baseRevision, keptAt, tab } or null.
export function keptDraft(flowId) {
  const text = localStorage.getItem(storageKey(flowId));
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    discardKept(flowId); // not written by this editor: nothing to restore
    return null;
  }
}

export function discardKept(flowId) {
  localStorage.removeItem(storageKey(flowId));
}

// host: {
//   doc(): the document being edited,
//   saved(answer, doc): the API saved `doc` and answered (problems, revision…),
//   showSaved(): everything is saved,
//   status(text, kind, canRetry): how saving goes,
//   conflict(body): the draft was saved elsewhere since (body: revision, savedAt, message),
// }
export class DraftSaver {
  constructor(flowId, revision, savedDoc, host) {
    this.flowId = flowId;
    this.revision = revision; // of the draft the next save replaces
    this.savedDoc = savedDoc;
    this.host = host;
    this.running = null;
    this.failures = 0;
    this.retryAt = null;
    this.retryReason = "";
    this.refusal = ""; // why the API refused the last save, if it did
    this.conflicted = false;
    this.stopped = false;
    this.tab = newId("tab"); // another tab of this flow keeps its own changes
  }

  get unsaved() {
    return this.host.doc() !== this.savedDoc;
  }

  get busy() {
    return this.unsaved || this.running !== null;
  }

  // Why the latest changes are not saved yet, in a few words.
  get reason() {
    if (this.conflicted) return "this flow was changed elsewhere";
    if (this.retryAt !== null) return this.retryReason;
    return this.refusal || "saving";
  }

  changed() {
    if (!this.unsaved) {
      this.#forget();
      if (!this.running && !this.retryAt && !this.conflicted) this.host.showSaved();
      return;
    }
    clearTimeout(this.timer);
    if (this.conflicted) this.host.status("Not saved: this flow was changed elsewhere", "error", true);
    else if (this.retryAt !== null) this.#showRetry();
    else {
      this.host.status("Saving…", "pending", false);
      this.timer = setTimeout(() => this.saveNow(), SAVE_DELAY_MS);
    }
    this.#keep();
  }

  // Saves whatever is unsaved, now; true once the document as it is now is saved.
  saveNow() {
    clearTimeout(this.timer);
    this.#stopRetrying();
    this.conflicted = false; // asked again: a conflict still there is found again
    this.refusal = "";
    this.running ||= this.#run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  // "Keep mine": the document shown is saved over the revision saved elsewhere.
  overwrite(revision) {
    this.revision = revision;
    this.savedDoc = null; // saved again even if unchanged here
    return this.saveNow();
  }

  // "Reload theirs": `doc` at `revision` is what the editor shows now.
  reloaded(revision, doc) {
    this.revision = revision;
    this.savedDoc = doc;
    this.conflicted = false;
    this.#stopRetrying();
    this.#forget();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.#stopRetrying();
  }

  async #run() {
    while (this.unsaved && !this.stopped) {
      const doc = this.host.doc();
      this.host.status("Saving…", "pending", false);
      let answer;
      try {
        answer = await api.saveDraft(this.flowId, doc, this.revision);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        this.#failed(error);
        return false;
      }
      this.revision = answer.revision;
      this.savedDoc = doc;
      this.failures = 0;
      this.host.saved(answer, doc);
      if (this.unsaved) this.#keep(); // based on the new revision now
    }
    if (this.unsaved) return false; // the editor closed meanwhile: the browser keeps it
    this.#forget();
    this.host.showSaved();
    return true;
  }

  #failed(error) {
    if (error.status === 409) {
      this.conflicted = true;
      this.host.status("Not saved: this flow was changed elsewhere", "error", true);
      this.host.conflict(error.body);
    } else if (error.worthRetrying) {
      const seconds = RETRY_SECONDS[Math.min(this.failures, RETRY_SECONDS.length - 1)];
      this.failures += 1;
      this.retryReason = error.unreachable ? "server unreachable" : error.message;
      this.retryAt = Date.now() + seconds * 1000;
      this.timer = setTimeout(() => this.saveNow(), seconds * 1000);
      this.ticker = setInterval(() => this.#showRetry(), 1000);
      this.#showRetry();
    } else {
      // Refused as it is (e.g. a flow without a name): the next change tries again.
      this.refusal = error.message;
      this.host.status(`Not saved: ${error.message}`, "error", false);
    }
  }

  #showRetry() {
    const seconds = Math.max(1, Math.ceil((this.retryAt - Date.now()) / 1000));
    this.host.status(`Not saved: ${this.retryReason}, retrying in ${seconds} s`, "error", true);
  }

  #stopRetrying() {
    clearInterval(this.ticker);
    this.retryAt = null;
  }

  #keep() {
    const kept = { doc: this.host.doc(), baseRevision: this.revision, keptAt: Date.now(), tab: this.tab };
    localStorage.setItem(storageKey(this.flowId), JSON.stringify(kept));
  }

  #forget() {
    const kept = keptDraft(this.flowId);
    if (kept && kept.tab !== this.tab) return; // another tab's, still unsaved
    discardKept(this.flowId);
  }
}
