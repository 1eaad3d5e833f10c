// The canvas: groups as cards holding their blocks, the Start node, and the exits between
// them. Drag a group by its title, a block to reorder it (or out, to a new group), a handle
// to a group to draw an exit; drag the background to pan, Ctrl+wheel or the buttons to zoom.
// Groups, blocks and Start take the keyboard's focus, which follows the selection.

import { h } from "./dom.js";
import { isError } from "./problems.js";
import { itemLabel } from "./blocks.js";
import { trackPointer, DragGhost } from "./dragging.js";
import { addGroup, entryGroup, exitGroup, findGroup, moveBlock, setExit } from "./flow-ops.js";
import { connectionPath, svgElement } from "./connections.js";
import { Minimap } from "./minimap.js";

const MIN_ZOOM = 0.05; // a flow of hundreds of groups still fits
const MAX_ZOOM = 2;

export class FlowCanvas {
  constructor(element, editor) {
    this.element = element;
    this.editor = editor;
    this.view = { x: 320, y: 120, zoom: 1 };
    this.world = h("div", { class: "world" });
    this.edges = svgElement("svg", { class: "edges" });
    this.edges.append(arrowHead());
    this.groupCards = new Map(); // group ID → its card
    this.blockCards = new Map(); // block ID → { element, drawn: what it was drawn from }
    this.startCard = null;
    this.exits = new Map(); // an exit's source → { hit, line, holder: group ID or "start", target }
    this.minimap = new Minimap(this);
    this.element.append(this.world, this.#zoomControls(), this.minimap.element);
    this.element.addEventListener("pointerdown", (event) => this.#press(event));
    this.element.addEventListener("wheel", (event) => this.#wheel(event), { passive: false });
    this.element.addEventListener("focusin", (event) => this.#focused(event.target));
    // The focus ring shows for the keyboard, not after a press on the canvas.
    this.element.addEventListener("keydown", () => delete this.element.dataset.pointer);
    this.element.addEventListener("contextmenu", (event) => this.#menu(event));
  }

  // Draws the flow as it is now, keyed by ID: a group, block or Start is drawn again only when
  // its data, selection or problems changed, and only the exits touching those are redrawn.
  render() {
    if (this.gesture) {
      this.stale = true; // drawn again when the gesture ends: its elements must stay put
      return;
    }
    this.stale = false;
    const doc = this.editor.store.doc;
    const hadFocus = this.world.contains(document.activeElement);
    // What changed: the IDs of the groups (and "start") whose look or place changed, and
    // whether a group came or went (then every exit is drawn again: some may lead to it).
    const drawing = { changed: new Set(), groupsChanged: false, blocks: new Set(), problems: problemsByBlock(this.editor.problems.all) };
    const cards = doc.groups.map((group) => this.#drawGroup(group, drawing));
    const present = new Set(doc.groups.map((group) => group.id));
    for (const id of this.groupCards.keys()) {
      if (present.has(id)) continue;
      this.groupCards.delete(id);
      drawing.groupsChanged = true;
    }
    for (const id of this.blockCards.keys()) if (!drawing.blocks.has(id)) this.blockCards.delete(id);
    const changed = drawing.changed;
    placeChildren(this.world, [this.edges, this.#drawStart(doc, changed), ...cards]);
    this.#applyView();
    this.drawEdges(drawing.groupsChanged ? null : changed);
    this.minimap.draw(cards, drawing.groupsChanged ? null : changed);
    if (hadFocus) this.focusSelection();
  }

  // The keyboard's focus on the selected group, block or Start (else the canvas), in sight.
  focusSelection() {
    const element = this.#selectedElement();
    if (!element) return this.element.focus({ preventScroll: true });
    element.focus({ preventScroll: true });
    this.#reveal(element);
  }

  #selectedElement() {
    const selection = this.editor.selection;
    if (selection?.kind === "block") return this.world.querySelector(`.block[data-block-id="${CSS.escape(selection.blockId)}"]`);
    if (selection?.kind === "group") return this.world.querySelector(`.group[data-group-id="${CSS.escape(selection.groupId)}"]`);
    if (selection?.kind === "exit" && selection.source.start) return this.world.querySelector(".start-node");
    return null;
  }

  // Pans just enough for the element to show whole (or its top-left part, if larger).
  #reveal(element) {
    const box = this.element.getBoundingClientRect();
    const rect = element.getBoundingClientRect();
    const margin = 24;
    let dx = 0;
    let dy = 0;
    if (rect.left < box.left + margin || rect.width > box.width) dx = box.left + margin - rect.left;
    else if (rect.right > box.right - margin) dx = box.right - margin - rect.right;
    if (rect.top < box.top + margin || rect.height > box.height) dy = box.top + margin - rect.top;
    else if (rect.bottom > box.bottom - margin) dy = box.bottom - margin - rect.bottom;
    if (!dx && !dy) return;
    this.view.x += dx;
    this.view.y += dy;
    this.#applyView();
  }

  // Tab onto a group, a block or Start selects it.
  #focused(target) {
    let selection = null;
    if (target.matches(".block")) selection = { kind: "block", blockId: target.dataset.blockId };
    else if (target.matches(".group")) selection = { kind: "group", groupId: target.dataset.groupId };
    else if (target.matches(".start-node")) selection = { kind: "exit", source: { start: true } };
    if (!selection) return;
    this.#reveal(target);
    if (JSON.stringify(selection) !== JSON.stringify(this.editor.selection)) this.editor.select(selection);
  }

  #menu(event) {
    const target = event.target.closest?.(".block, .group");
    if (target?.matches(".block")) this.editor.select({ kind: "block", blockId: target.dataset.blockId });
    else if (target) this.editor.select({ kind: "group", groupId: target.dataset.groupId });
    else if (event.target.closest(".zoom-controls, .minimap")) return;
    event.preventDefault();
    if (this.editor.readOnly) return;
    const keyboard = event.button !== 2 || (event.clientX === 0 && event.clientY === 0);
    const anchor = keyboard ? (this.#selectedElement() || this.element).getBoundingClientRect() : null;
    this.editor.openMenu(anchor ? anchor.left + 16 : event.clientX, anchor ? anchor.top + 16 : event.clientY);
  }

  // Where a drop at a screen point lands: a place in a group, or a point of the canvas.
  dropTargetAt(clientX, clientY) {
    const box = this.element.getBoundingClientRect();
    if (clientX < box.left || clientX > box.right || clientY < box.top || clientY > box.bottom) return null;
    const group = document.elementsFromPoint(clientX, clientY).map((node) => node.closest?.(".group")).find(Boolean);
    if (!group) return { point: this.toWorld(clientX, clientY) };
    const blocks = [...group.querySelectorAll(":scope .blocks > .block:not(.dragging)")];
    const index = blocks.findIndex((block) => {
      const rect = block.getBoundingClientRect();
      return clientY < rect.top + rect.height / 2;
    });
    return { groupId: group.dataset.groupId, index: index < 0 ? blocks.length : index, element: group };
  }

  // A marker where a dragged block would go; cleared with null.
  showDropMarker(target) {
    this.world.querySelectorAll(".drop-marker").forEach((marker) => marker.remove());
    this.world.querySelectorAll(".group.drop-target").forEach((group) => group.classList.remove("drop-target"));
    if (!target?.groupId) return;
    target.element.classList.add("drop-target");
    const list = target.element.querySelector(".blocks");
    const blocks = [...list.querySelectorAll(":scope > .block:not(.dragging)")];
    list.insertBefore(h("div", { class: "drop-marker" }), blocks[target.index] || null);
  }

  toWorld(clientX, clientY) {
    const box = this.element.getBoundingClientRect();
    return {
      x: (clientX - box.left - this.view.x) / this.view.zoom,
      y: (clientY - box.top - this.view.y) / this.view.zoom,
    };
  }

  centre() {
    const box = this.element.getBoundingClientRect();
    return this.toWorld(box.left + box.width / 2, box.top + box.height / 3);
  }

  zoomTo(zoom, clientX, clientY) {
    const box = this.element.getBoundingClientRect();
    const anchorX = clientX ?? box.left + box.width / 2;
    const anchorY = clientY ?? box.top + box.height / 2;
    const before = this.toWorld(anchorX, anchorY);
    this.view.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
    this.view.x = anchorX - box.left - before.x * this.view.zoom;
    this.view.y = anchorY - box.top - before.y * this.view.zoom;
    this.#applyView();
  }

  // The flow's point `point` in the middle of the canvas.
  centreOn(point) {
    const box = this.element.getBoundingClientRect();
    this.view.x = box.width / 2 - point.x * this.view.zoom;
    this.view.y = box.height / 2 - point.y * this.view.zoom;
    this.#applyView();
  }

  // Everything in sight: pan and zoom so that every group shows.
  fit() {
    const cards = [...this.world.querySelectorAll(".group, .start-node")];
    if (!cards.length) return;
    const points = cards.map((card) => ({
      x: card.offsetLeft, y: card.offsetTop, right: card.offsetLeft + card.offsetWidth, bottom: card.offsetTop + card.offsetHeight,
    }));
    const left = Math.min(...points.map((p) => p.x)) - 40;
    const top = Math.min(...points.map((p) => p.y)) - 40;
    const width = Math.max(...points.map((p) => p.right)) + 40 - left;
    const height = Math.max(...points.map((p) => p.bottom)) + 40 - top;
    const box = this.element.getBoundingClientRect();
    this.view.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.min(box.width / width, box.height / height, 1)));
    this.view.x = (box.width - width * this.view.zoom) / 2 - left * this.view.zoom;
    this.view.y = (box.height - height * this.view.zoom) / 2 - top * this.view.zoom;
    this.#applyView();
  }

  // The exits' lines; with `changed`, only those from or to the groups (or "start") it names.
  // Every place is measured first, then every line drawn: one layout, however many lines.
  drawEdges(changed = null) {
    if (changed && !changed.size) return this.#markSelectedExit();
    const placed = [];
    const place = (exit) => {
      const target = this.groupCards.get(exit.target);
      if (target) placed.push([exit, connectionPath(exit.from(), { x: target.offsetLeft, y: target.offsetTop + 22 })]);
    };
    // An exit drawn again keeps its lines: only where they run changes.
    const found = (source, holder, target, from) => {
      const exit = this.exits.get(source) || newExit(source);
      Object.assign(exit, { holder, target, from, seen: true });
      place(exit);
    };
    const holders = changed ? [...changed].map((id) => this.#cardOf(id)).filter(Boolean) : [this.startCard, ...this.groupCards.values()];
    for (const holder of holders) {
      const holderId = holder.dataset.groupId ?? "start";
      for (const handle of holder.querySelectorAll(".exit-handle[data-target]")) {
        found(handle.dataset.source, holderId, handle.dataset.target, () => this.#centreOf(handle));
      }
      for (const jump of holder.querySelectorAll(".block[data-jump]")) {
        found(`jump:${jump.dataset.blockId}`, holderId, jump.dataset.jump, () => {
          const box = jump.getBoundingClientRect();
          return this.toWorld(box.right, box.top + box.height / 2);
        });
      }
    }
    for (const exit of this.exits.values()) {
      if (exit.seen || (changed && !changed.has(exit.holder))) {
        if (!exit.seen && changed.has(exit.target)) place(exit);
        continue;
      }
      exit.hit?.remove(); // its handle is gone, or leads nowhere now
      exit.line.remove();
      this.exits.delete(exit.source);
    }
    const drawn = new Set();
    for (const [exit, d] of placed) {
      drawn.add(exit);
      exit.hit?.setAttribute("d", d);
      exit.line.setAttribute("d", d);
      if (exit.line.isConnected) continue;
      this.exits.set(exit.source, exit);
      if (exit.hit) this.edges.append(exit.hit);
      this.edges.append(exit.line);
    }
    for (const exit of this.exits.values()) {
      if (exit.seen && !drawn.has(exit)) { // its group is not on the canvas
        exit.hit?.remove();
        exit.line.remove();
        this.exits.delete(exit.source);
      }
      delete exit.seen;
    }
    this.#markSelectedExit();
  }

  #cardOf(id) {
    return id === "start" ? this.startCard : this.groupCards.get(id);
  }

  #markSelectedExit() {
    const selected = this.editor.selection?.kind === "exit" ? JSON.stringify(this.editor.selection.source) : null;
    if (selected !== this.selectedExit) this.exits.get(this.selectedExit)?.line.classList.remove("selected");
    this.exits.get(selected)?.line.classList.add("selected");
    this.selectedExit = selected;
  }

  #applyView() {
    const { x, y, zoom } = this.view;
    this.world.style.transform = `translate(${x}px, ${y}px) scale(${zoom})`;
    this.element.style.backgroundPosition = `${x}px ${y}px`;
    this.element.style.backgroundSize = `${24 * zoom}px ${24 * zoom}px`;
    if (this.zoomLabel) this.zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
    this.minimap.showView();
  }

  #centreOf(element) {
    const box = element.getBoundingClientRect();
    return this.toWorld(box.left + box.width / 2, box.top + box.height / 2);
  }

  #zoomControls() {
    this.zoomLabel = h("span", { class: "zoom-level" }, "100%");
    return h("div", { class: "zoom-controls" },
      h("button", { type: "button", title: "Zoom out", "aria-label": "Zoom out", onclick: () => this.zoomTo(this.view.zoom / 1.2) }, "−"),
      this.zoomLabel,
      h("button", { type: "button", title: "Zoom in", "aria-label": "Zoom in", onclick: () => this.zoomTo(this.view.zoom * 1.2) }, "+"),
      h("button", { type: "button", title: "Show the whole flow", onclick: () => this.fit() }, "Fit"));
  }

  #drawStart(doc, changed) {
    const entry = entryGroup(doc);
    const first = findGroup(doc, entry);
    const position = doc.start?.position || { x: (first?.position?.x ?? 0) - 220, y: first?.position?.y ?? 0 };
    const selected = Boolean(this.editor.selection?.source?.start);
    const drawn = JSON.stringify([position, entry, first?.title, selected]);
    if (this.startCard?.drawn === drawn) return this.startCard;
    const node = h("div", {
      class: `start-node${selected ? " selected" : ""}`, dataset: { start: "" }, tabindex: "0", role: "button",
      "aria-label": `Start: chats begin in ${first ? `group ${first.title || first.id}` : "no group yet"}`,
    },
      h("span", {}, "Start"),
      this.#handle({ start: true }, entry, "Where chats begin"));
    node.style.left = `${position.x}px`;
    node.style.top = `${position.y}px`;
    node.drawn = drawn;
    this.startCard = node;
    changed.add("start");
    return node;
  }

  // A group's card, kept from one drawing to the next: its blocks are drawn again one by one.
  #drawGroup(group, drawing) {
    let card = this.groupCards.get(group.id);
    if (!card) {
      card = h("div", { dataset: { groupId: group.id }, tabindex: "0", role: "group" },
        h("div", { class: "group-header" }, h("span", { class: "group-title" })),
        h("div", { class: "blocks" }));
      this.groupCards.set(group.id, card);
      drawing.groupsChanged = true;
    }
    const selection = this.editor.selection;
    const selected = selection?.kind === "group" && selection.groupId === group.id;
    const position = { x: group.position?.x ?? 0, y: group.position?.y ?? 0 };
    // Always in place: a dragged card moved itself, and a drag back to where it was changes nothing.
    card.style.left = `${position.x}px`;
    card.style.top = `${position.y}px`;
    const drawn = JSON.stringify([group.title, position, selected, group.blocks.length]);
    if (card.drawn !== drawn) {
      card.drawn = drawn;
      card.className = `group${selected ? " selected" : ""}`;
      card.setAttribute("aria-label", `Group ${group.title || group.id}, ${group.blocks.length} block${group.blocks.length === 1 ? "" : "s"}`);
      if (selected) card.setAttribute("aria-current", "true");
      else card.removeAttribute("aria-current");
      card.querySelector(".group-title").textContent = group.title || group.id;
      drawing.changed.add(group.id);
    }
    const blocks = group.blocks.map((block) => this.#drawBlock(block, group.id, drawing));
    if (placeChildren(card.querySelector(".blocks"), blocks)) drawing.changed.add(group.id);
    return card;
  }

  #drawBlock(block, groupId, drawing) {
    const selection = this.editor.selection;
    const selected = selection?.kind === "block" && selection.blockId === block.id;
    const problems = drawing.problems.get(block.id) || [];
    if (drawing.blocks.has(block.id)) return this.#block(block, selected, problems); // an ID twice: a problem listed
    drawing.blocks.add(block.id);
    const drawn = JSON.stringify([block, selected, problems]);
    const known = this.blockCards.get(block.id);
    if (known?.drawn === drawn) return known.element;
    const element = this.#block(block, selected, problems);
    this.blockCards.set(block.id, { element, drawn });
    drawing.changed.add(groupId);
    return element;
  }

  #block(block, selected, blockProblems) {
    const catalog = this.editor.catalog;
    const itemsKey = catalog.itemsKey(block);
    const ownExits = catalog.exitKeys(block);
    const type = catalog.get(block.type);
    const element = h("div", {
      tabindex: "0",
      role: "button",
      "aria-current": selected ? "true" : null,
      class: [
        "block", `category-${type?.category || "unknown"}`,
        selected ? "selected" : "",
        blockProblems.some(isError) ? "has-problem" : blockProblems.length ? "has-warning" : "",
      ].join(" ").trim(),
      dataset: { blockId: block.id, blockType: block.type },
      title: blockProblems.map((problem) => problem.problem).join("\n") || undefined,
    },
      h("div", { class: "block-main" },
        h("span", { class: "block-type" }, catalog.title(block.type)),
        h("span", { class: "block-summary" }, catalog.summary(block))),
      itemsKey
        ? h("div", { class: "block-items" }, (block[itemsKey] || []).map((item, index) =>
            h("div", { class: "block-item" }, h("span", {}, itemLabel(item, index)),
              this.#handle({ blockId: block.id, itemsKey, index }, exitGroup(item.next), "Exit of this item"))))
        : null,
      ownExits.length
        ? h("div", { class: "block-items" }, ownExits.map(({ key, title }) =>
            h("div", { class: "block-item", dataset: { exit: key } }, h("span", {}, title),
              this.#handle({ blockId: block.id, key }, exitGroup(block[key]), title))))
        : null,
      this.#handle({ blockId: block.id }, exitGroup(block.next), itemsKey ? "Exit when no item applies" : "Exit"));
    const callsGroup = block.type === "jump" || (block.type === "link" && !block.flow);
    if (callsGroup && block.group) element.dataset.jump = block.group;
    return element;
  }

  #handle(source, target, title) {
    const handle = h("span", { class: "exit-handle", title, dataset: { source: JSON.stringify(source) } });
    if (target) handle.dataset.target = target;
    return handle;
  }

  // -- pointer gestures ---------------------------------------------------------------------

  #track(event, { onMove, onEnd }) {
    this.gesture = true;
    trackPointer(event, {
      onMove,
      onEnd: (end, moved) => {
        this.gesture = false;
        onEnd(end, moved);
        if (this.stale) this.render();
      },
    });
  }

  #press(event) {
    if (event.button !== 0 || event.target.closest(".zoom-controls, .minimap")) return;
    const target = event.target;
    const handle = target.closest(".exit-handle");
    const edge = target.closest(".edge-hit");
    const block = target.closest(".block");
    const header = target.closest(".group-header");
    const start = target.closest(".start-node");
    const group = target.closest(".group");
    event.preventDefault();
    this.element.dataset.pointer = "";
    this.element.focus({ preventScroll: true });
    if (this.editor.readOnly) this.#pan(event); // a small screen shows the flow, to look at
    else if (handle) this.#connect(event, handle);
    else if (edge) this.editor.select({ kind: "exit", source: JSON.parse(edge.dataset.source) });
    else if (block) this.#dragBlock(event, block);
    else if (header) this.#dragCard(event, header.closest(".group"));
    else if (start) this.#dragCard(event, start);
    else if (group) this.editor.select({ kind: "group", groupId: group.dataset.groupId });
    else this.#pan(event);
  }

  #pan(event) {
    const origin = { ...this.view };
    this.element.classList.add("panning");
    this.#track(event, {
      onMove: (move, from) => {
        this.view.x = origin.x + move.clientX - from.x;
        this.view.y = origin.y + move.clientY - from.y;
        this.#applyView();
      },
      onEnd: (_end, moved) => {
        this.element.classList.remove("panning");
        if (!moved) this.editor.select(null);
      },
    });
  }

  #dragCard(event, card) {
    const left = card.offsetLeft;
    const top = card.offsetTop;
    this.#track(event, {
      onMove: (move, from) => {
        card.style.left = `${left + (move.clientX - from.x) / this.view.zoom}px`;
        card.style.top = `${top + (move.clientY - from.y) / this.view.zoom}px`;
        this.drawEdges(new Set([card.dataset.groupId ?? "start"]));
      },
      onEnd: (_end, moved) => {
        const position = { x: Math.round(card.offsetLeft), y: Math.round(card.offsetTop) };
        if (card.classList.contains("start-node")) {
          if (moved) {
            this.editor.store.change((doc) => { doc.start = { group: entryGroup(doc), ...(doc.start || {}), position }; });
          }
          return;
        }
        const groupId = card.dataset.groupId;
        if (moved) this.editor.store.change((doc) => { findGroup(doc, groupId).position = position; });
        else this.editor.select({ kind: "group", groupId });
      },
    });
  }

  #dragBlock(event, element) {
    const blockId = element.dataset.blockId;
    let ghost = null;
    this.#track(event, {
      onMove: (move) => {
        if (!ghost) {
          ghost = new DragGhost(element.cloneNode(true));
          element.classList.add("dragging");
        }
        ghost.follow(move);
        this.showDropMarker(this.dropTargetAt(move.clientX, move.clientY));
      },
      onEnd: (end, moved) => {
        ghost?.remove();
        element.classList.remove("dragging");
        this.showDropMarker(null);
        if (!moved) return this.editor.select({ kind: "block", blockId });
        const target = this.dropTargetAt(end.clientX, end.clientY);
        if (!target) return this.render();
        this.editor.store.change((doc) => {
          if (target.groupId) moveBlock(doc, blockId, target.groupId, target.index);
          else {
            const group = addGroup(doc, target.point);
            moveBlock(doc, blockId, group.id, 0);
          }
        });
      },
    });
  }

  #connect(event, handle) {
    const source = JSON.parse(handle.dataset.source);
    const from = this.#centreOf(handle);
    const line = svgElement("path", { class: "edge drawing" });
    this.edges.append(line);
    this.#track(event, {
      onMove: (move) => {
        line.setAttribute("d", connectionPath(from, this.toWorld(move.clientX, move.clientY)));
        this.showDropMarker(null);
        const target = this.dropTargetAt(move.clientX, move.clientY);
        target?.element?.classList.add("drop-target");
      },
      onEnd: (end, moved) => {
        line.remove();
        this.showDropMarker(null);
        if (!moved) {
          if (handle.dataset.target) this.editor.select({ kind: "exit", source });
          return;
        }
        const target = this.dropTargetAt(end.clientX, end.clientY);
        if (target?.groupId) {
          this.editor.store.change((doc) => setExit(doc, source, target.groupId));
        }
      },
    });
  }

  #wheel(event) {
    event.preventDefault();
    if (event.ctrlKey || event.metaKey) {
      this.zoomTo(this.view.zoom * Math.exp(-event.deltaY / 300), event.clientX, event.clientY);
    } else {
      this.view.x -= event.deltaX;
      this.view.y -= event.deltaY;
      this.#applyView();
    }
  }
}

// An exit's line (and, but for a jump's, the wider line a press selects it by), not drawn yet.
function newExit(source) {
  const jump = source.startsWith("jump:");
  return {
    source,
    hit: jump ? null : svgElement("path", { class: "edge-hit", "data-source": source }),
    line: svgElement("path", { class: jump ? "edge jump" : "edge", "marker-end": "url(#arrow)" }),
  };
}

// The problems of each block, by its ID.
function problemsByBlock(problems) {
  const byBlock = new Map();
  for (const problem of problems) {
    if (!problem.blockId) continue;
    if (!byBlock.has(problem.blockId)) byBlock.set(problem.blockId, []);
    byBlock.get(problem.blockId).push(problem);
  }
  return byBlock;
}

// Makes `elements` the children of `parent`, in order, moving only what is out of place;
// true when anything moved, came or went.
function placeChildren(parent, elements) {
  let moved = false;
  elements.forEach((element, index) => {
    const present = parent.children[index];
    if (present === element) return;
    parent.insertBefore(element, present || null);
    moved = true;
  });
  while (parent.children.length > elements.length) {
    parent.lastElementChild.remove();
    moved = true;
  }
  return moved;
}

function arrowHead() {
  const marker = svgElement("marker", {
    id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "8", markerHeight: "8", orient: "auto-start-reverse",
  });
  marker.append(svgElement("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow-head" }));
  const defs = svgElement("defs", {});
  defs.append(marker);
  return defs;
}
