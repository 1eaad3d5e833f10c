// The minimap: every group of the flow in small, with the part the canvas shows. A press or a
// drag on it brings that place of the flow into the middle of the canvas.

import { svgElement } from "./connections.js";
import { trackPointer } from "./dragging.js";

const MARGIN = 40;

export class Minimap {
  constructor(canvas) {
    this.canvas = canvas;
    this.boxes = new Map(); // group ID → { x, y, width, height, rect }
    this.groups = svgElement("g", {});
    this.view = svgElement("rect", { class: "minimap-view" });
    this.element = svgElement("svg", { class: "minimap", preserveAspectRatio: "xMidYMid meet", "aria-hidden": "true" });
    this.element.append(this.groups, this.view);
    this.element.addEventListener("pointerdown", (event) => this.#press(event));
    new ResizeObserver(() => this.showView()).observe(canvas.element); // side panels hidden or shown
  }

  // The group cards as drawn; with `changed`, only the groups it names are measured again.
  draw(cards, changed) {
    const present = new Set();
    const measured = [];
    for (const card of cards) {
      const id = card.dataset.groupId;
      present.add(id);
      let box = this.boxes.get(id);
      if (!box) {
        box = { rect: svgElement("rect", { class: "minimap-group", rx: "6" }) };
        this.boxes.set(id, box);
        changed = null;
      } else if (changed && !changed.has(id)) continue;
      Object.assign(box, { x: card.offsetLeft, y: card.offsetTop, width: card.offsetWidth, height: card.offsetHeight });
      measured.push(box);
    }
    for (const id of this.boxes.keys()) if (!present.has(id)) this.boxes.delete(id);
    if (!measured.length && changed) return;
    for (const box of measured) {
      for (const key of ["x", "y", "width", "height"]) box.rect.setAttribute(key, box[key]);
    }
    if (!changed) this.groups.replaceChildren(...cards.map((card) => this.boxes.get(card.dataset.groupId).rect));
    const boxes = [...this.boxes.values()];
    if (!boxes.length) return this.element.removeAttribute("viewBox");
    const left = Math.min(...boxes.map((box) => box.x)) - MARGIN;
    const top = Math.min(...boxes.map((box) => box.y)) - MARGIN;
    const right = Math.max(...boxes.map((box) => box.x + box.width)) + MARGIN;
    const bottom = Math.max(...boxes.map((box) => box.y + box.height)) + MARGIN;
    this.element.setAttribute("viewBox", `${left} ${top} ${right - left} ${bottom - top}`);
  }

  // The canvas's part of the flow, as a rectangle.
  showView() {
    const { x, y, zoom } = this.canvas.view;
    const canvas = this.canvas.element;
    this.view.setAttribute("x", -x / zoom);
    this.view.setAttribute("y", -y / zoom);
    this.view.setAttribute("width", canvas.clientWidth / zoom);
    this.view.setAttribute("height", canvas.clientHeight / zoom);
  }

  #press(event) {
    if (event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    this.#centreOn(event);
    trackPointer(event, { onMove: (move) => this.#centreOn(move) });
  }

  #centreOn(event) {
    const matrix = this.element.getScreenCTM();
    if (!matrix) return;
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    this.canvas.centreOn(point);
  }
}
