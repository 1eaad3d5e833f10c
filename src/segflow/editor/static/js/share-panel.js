// After Publish: where visitors reach the flow. The share page's URL, snippets that put the
// chat on a website (segflow's embed as a bubble or inline, or an existing Typebot embed
// pointed at segflow), and a live preview of the bubble.

import { h } from "./dom.js";

const TYPEBOT_EMBED = "https://cdn.jsdelivr.net/npm/@typebot.io/js@0.10/dist/web.js";

export class SharePanel {
  constructor(element) {
    this.element = element;
  }

  get isOpen() {
    return !this.element.hidden;
  }

  open({ flowId, typebotId, version, title }) {
    const origin = location.origin;
    const shareUrl = `${origin}/chat/${encodeURIComponent(flowId)}`;
    const script = `${origin}/embed/segflow.js`;
    const bubble = `<script type="module" src="${script}"\n        data-flow="${flowId}" data-mode="bubble"></script>`;
    const inline = `<div id="chat" style="height: 600px"></div>\n<script type="module" src="${script}"\n        data-flow="${flowId}" data-mode="inline" data-target="#chat"></script>`;
    const typebot = `<script type="module">\n  import Typebot from "${TYPEBOT_EMBED}";\n  Typebot.initBubble({ typebot: ${JSON.stringify(typebotId)}, apiHost: ${JSON.stringify(origin)} });\n</script>`;
    this.element.replaceChildren(
      h("header", { class: "share-header" },
        h("h2", {}, `Share “${title}”`),
        h("button", { type: "button", class: "close", "aria-label": "Close sharing", onclick: () => this.close() }, "×")),
      h("div", { class: "share-body" },
        h("p", {}, `Version ${version} is live: new chats start on it, chats already running keep theirs.`),
        h("h3", {}, "Share link"),
        h("div", { class: "share-link" },
          h("a", { href: shareUrl, target: "_blank", rel: "noopener", class: "share-url" }, shareUrl),
          copyButton(shareUrl, "Copy link")),
        snippet("share-bubble", "Put a chat bubble on your website", bubble),
        snippet("share-inline", "Or show the chat inside your page", inline),
        snippet("share-typebot", "Already use Typebot's embed? Point it at segflow", typebot),
        h("h3", {}, "Preview of the bubble"),
        bubblePreview(script, flowId)));
    this.element.hidden = false;
  }

  close() {
    this.element.hidden = true;
    this.element.replaceChildren(); // the preview's chat goes with it
  }
}

function snippet(id, label, code) {
  return h("div", { class: "snippet" },
    h("label", { for: id }, label),
    h("textarea", { id, readonly: true, wrap: "off", rows: code.split("\n").length + 1, spellcheck: "false" }, code),
    copyButton(code, "Copy code"));
}

function copyButton(text, label) {
  const button = h("button", { type: "button", class: "copy" }, label);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Select and copy it";
    }
    setTimeout(() => (button.textContent = label), 2000);
  });
  return button;
}

// A small page with the bubble in its corner; it remembers nothing, and a chat starts (and
// sends its Segment messages) only when the bubble is opened.
function bubblePreview(script, flowId) {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview</title></head>
<body><script type="module" src="${script}" data-flow="${flowId}" data-mode="bubble" data-remember="none"></script></body></html>`;
  return h("iframe", { class: "bubble-preview", title: "Preview of the chat bubble", srcdoc: page });
}
