// The control for the input the bot waits on: a field of the right type, or buttons.
// A field missing from `options` takes its default (public servers trim empty ones).

import { h, uniqueId } from "./dom.js";

const FIELD_TYPES = { emailInput: "email", numberInput: "number", urlInput: "url", phoneInput: "tel" };
const AUTOCOMPLETE = { emailInput: "email", urlInput: "url", phoneInput: "tel" };
const PLACEHOLDERS = { emailInput: "name@example.com", urlInput: "https://", phoneInput: "+1 555 010 0100" };

// Calls answer(value, shown) with what to send and what the transcript shows.
export function answerControl(input, answer) {
  const options = input.options || {};
  if (input.type === "choiceInput" && options.multiple === true) return choiceBoxes(options, answer);
  if (input.type === "choiceInput") return choiceButtons(options, answer);
  if (input.type === "ratingInput") return choiceButtons({ items: ratingItems(options) }, answer);
  return textField(input.type, options, answer);
}

function choiceButtons(options, answer) {
  const items = Array.isArray(options.items) ? options.items : [];
  const buttons = items.map((item) =>
    h("button", { type: "button", class: "segflow-choice", onclick: () => answer(item.id ?? item.label, item.label) },
      // The label under the picture names the button; the picture itself is decoration.
      item.picture ? h("img", { src: item.picture, alt: "", class: "segflow-choice-picture" }) : null,
      item.label));
  const element = h("div", { class: "segflow-choices", role: "group", "aria-label": "Choose an answer" }, buttons);
  return { element, focusTarget: buttons[0] || null };
}

// A rating's buttons: one per whole number from lowest to highest, stars drawn as ★.
function ratingItems(options) {
  const lowest = Number.isInteger(options.lowest) ? options.lowest : 0;
  const highest = Number.isInteger(options.highest) ? options.highest : 10;
  const items = [];
  for (let n = lowest; n <= highest; n += 1) {
    const label = options.icons === true ? "★".repeat(n) : String(n);
    items.push({ id: String(n), label });
  }
  return items;
}

// Several answers: a checkbox per item, sent together as their IDs joined by commas.
function choiceBoxes(options, answer) {
  const items = Array.isArray(options.items) ? options.items : [];
  const boxes = items.map((item) => {
    const id = uniqueId("pick");
    const box = h("input", { id, type: "checkbox", value: item.id ?? item.label });
    const picture = item.picture ? h("img", { src: item.picture, alt: "", class: "segflow-choice-picture" }) : null;
    return { item, box, row: h("div", { class: "segflow-pick" }, box, h("label", { for: id }, picture, item.label)) };
  });
  const send = (event) => {
    event?.preventDefault();
    const picked = boxes.filter(({ box }) => box.checked);
    if (picked.length === 0) return boxes[0]?.box.focus();
    answer(picked.map(({ box }) => box.value).join(", "), picked.map(({ item }) => item.label).join(", "));
  };
  const element = h("form", { class: "segflow-choices", role: "group", "aria-label": "Choose one or more answers", onsubmit: send },
    boxes.map(({ row }) => row),
    h("button", { type: "submit", class: "segflow-send" }, options.buttonLabel || "Send"));
  return { element, focusTarget: boxes[0]?.box || null };
}

function textField(type, options, answer) {
  const id = uniqueId("answer");
  const long = type === "textInput" && options.long === true;
  const field = long
    ? h("textarea", { id, rows: 3 })
    : h("input", { id, type: fieldType(type, options), autocomplete: AUTOCOMPLETE[type] || "off" });
  field.classList.add("segflow-field");
  if (type !== "dateInput") field.placeholder = options.placeholder || PLACEHOLDERS[type] || "Type your answer…";
  if (type === "emailInput") field.setAttribute("inputmode", "email");
  if (type === "dateInput") {
    // The picker's bounds: yyyy-mm-dd, with a time of day when it asks for one.
    const time = options.hasTime === true ? "T00:00" : "";
    if (options.min) field.min = options.min + time;
    if (options.max) field.max = options.max + (time && "T23:59");
  }
  if (type === "numberInput") {
    field.setAttribute("inputmode", "decimal");
    if (options.min !== undefined && options.min !== null) field.min = String(options.min);
    if (options.max !== undefined && options.max !== null) field.max = String(options.max);
    field.step = options.step ? String(options.step) : "any";
  }
  const send = (event) => {
    event?.preventDefault();
    const value = field.value.trim();
    if (value) answer(value, value);
    else field.focus();
  };
  field.addEventListener("keydown", (event) => {
    if (long && event.key === "Enter" && !event.shiftKey) send(event);
  });
  // novalidate: segflow checks the answer and the bot says what is wrong, in its own words.
  const element = h("form", { class: "segflow-answer", novalidate: true, onsubmit: send },
    h("label", { for: id, class: "segflow-visually-hidden" }, "Your answer"),
    field,
    h("button", { type: "submit", class: "segflow-send" }, options.buttonLabel || "Send"));
  return { element, focusTarget: field };
}

function fieldType(type, options) {
  if (type === "dateInput") return options.hasTime === true ? "datetime-local" : "date";
  return FIELD_TYPES[type] || "text";
}
