// Building DOM nodes without HTML strings: h("button", {class: "x", onclick}, "Label").

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

let counter = 0;

// An id unique on the page, for labels and aria-controls.
export function uniqueId(prefix) {
  counter += 1;
  return `segflow-${prefix}-${counter}`;
}
