// Following the pointer from a press to its release: a press that barely moves is a click.

const THRESHOLD = 4;

export function trackPointer(event, { onMove = () => {}, onEnd = () => {} }) {
  const start = { x: event.clientX, y: event.clientY };
  let moved = false;
  const move = (moveEvent) => {
    if (!moved && Math.hypot(moveEvent.clientX - start.x, moveEvent.clientY - start.y) < THRESHOLD) {
      return;
    }
    moved = true;
    onMove(moveEvent, start);
  };
  const end = (endEvent) => {
    window.removeEventListener("pointermove", move);
    window.removeEventListener("pointerup", end);
    window.removeEventListener("pointercancel", end);
    onEnd(endEvent, moved);
  };
  window.addEventListener("pointermove", move);
  window.addEventListener("pointerup", end);
  window.addEventListener("pointercancel", end);
}

// A copy of what is dragged, under the pointer.
export class DragGhost {
  constructor(content) {
    this.element = document.createElement("div");
    this.element.className = "drag-ghost";
    this.element.append(content);
    document.body.append(this.element);
  }

  follow(event) {
    this.element.style.left = `${event.clientX + 8}px`;
    this.element.style.top = `${event.clientY + 8}px`;
  }

  remove() {
    this.element.remove();
  }
}
