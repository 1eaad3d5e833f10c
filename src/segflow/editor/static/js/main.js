// The editor's entry point: #/ shows the flows, #/flows/ID edits one, #/flows/ID/results
// shows its chats.

import { h } from "./dom.js";
import { openFlowEditor } from "./flow-editor.js";
import { openFlowsList } from "./flows-list.js";
import { openResults } from "./results.js";

const root = document.getElementById("app");
let current = null;
let shown = location.hash;
let leaving = false;

async function route() {
  // "← Flows", Back and Forward all change the hash: the open view may keep them from leaving.
  if (leaving) return;
  if (current?.mayLeave) {
    leaving = true;
    const leave = await current.mayLeave().finally(() => {
      leaving = false;
    });
    if (!leave) {
      history.pushState(null, "", shown);
      return;
    }
  }
  shown = location.hash;
  current?.destroy();
  current = null;
  const results = location.hash.match(/^#\/flows\/([^/]+)\/results$/);
  const match = location.hash.match(/^#\/flows\/(.+)$/);
  try {
    if (results) current = await openResults(root, decodeURIComponent(results[1]));
    else current = match ? await openFlowEditor(root, decodeURIComponent(match[1])) : await openFlowsList(root);
  } catch (error) {
    root.replaceChildren(h("main", { class: "flows-page" },
      h("h1", {}, "Something went wrong"), h("p", { role: "alert" }, error.message), h("a", { href: "#/" }, "Back to the flows")));
  }
}

window.addEventListener("hashchange", route);
route();
