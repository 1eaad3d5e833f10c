// Remembering a chat across reloads: its sessionId, transcript and awaited input, in
// localStorage ("local", the default), sessionStorage ("session", until the tab closes) or
// nowhere ("none").

export const REMEMBER = ["none", "session", "local"];

export class ChatMemory {
  constructor(remember, key) {
    if (!REMEMBER.includes(remember)) {
      throw new Error(`segflow: remember must be one of ${REMEMBER.join(", ")}, not "${remember}"`);
    }
    this.key = key;
    this.storage = remember === "none" ? null : storageFor(remember);
  }

  load() {
    if (!this.storage) return null;
    try {
      const state = JSON.parse(this.storage.getItem(this.key) || "null");
      return state && typeof state.sessionId === "string" && Array.isArray(state.transcript) ? state : null;
    } catch {
      return null; // unreadable: start afresh
    }
  }

  save(state) {
    try {
      this.storage?.setItem(this.key, JSON.stringify(state));
    } catch {
      // full or blocked storage: the chat goes on, it just will not survive a reload
    }
  }

  clear() {
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // blocked storage holds nothing to clear
    }
  }
}

function storageFor(remember) {
  try {
    return remember === "local" ? window.localStorage : window.sessionStorage;
  } catch {
    return null; // storage blocked (e.g. a third-party frame): nothing is remembered
  }
}
