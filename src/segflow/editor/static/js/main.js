// The editor's entry point: #/ shows the flows, #/flows/ID edits one.

import { h } from "./dom.js";
import { openFlowEditor } from "./flow-editor.js";
import { openFlowsList } from "./flows-list.js";

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
  const match = location.hash.match(/^#\/flows\/(.+)$/);
  try {
    current = match ? await openFlowEditor(root, decodeURIComponent(match[1])) : await openFlowsList(root);
  } catch (error) {
    root.replaceChildren(h("main", { class: "flows-page" },
      h("h1", {}, "Something went wrong"), h("p", { role: "alert" }, error.message), h("a", { href: "#/" }, "Back to the flows")));
  }
}

window.addEventListener("hashchange", route);
route();
