// Renaming a variable everywhere the flow refers to it: {{name}} in every text, fields that
// name a variable, expressions, and key/value rows of the Variable type. Which field is which
// comes from the blocks' options schemas, as the server reads them.

import { unwrapNullable } from "./schema.js";

const PLACEHOLDER = /\{\{(\s*)([^{}\s]+)(\s*)\}\}/g;
const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// `schemaOf(block)` → {schema, root} of the block's options (see BlockCatalog.schemaOf).
export function renameVariable(doc, from, to, schemaOf) {
  for (const variable of doc.variables || []) {
    if (variable.name === from) variable.name = to;
  }
  for (const group of doc.groups) {
    group.blocks = group.blocks.map((block) => {
      const { schema, root } = schemaOf(block);
      return schema ? renamedIn(block, schema, root, from, to) : renamedTemplates(block, from, to);
    });
  }
}

function renamedIn(value, schema, root, from, to) {
  const { schema: resolved } = unwrapNullable(schema || {}, root);
  if (typeof value === "string") return renamedText(value, resolved.ui, from, to);
  if (Array.isArray(value)) {
    if (resolved.ui === "key-value") return value.map((row) => renamedRow(row, from, to));
    return value.map((item) => renamedIn(item, resolved.items, root, from, to));
  }
  if (!value || typeof value !== "object") return value;
  const properties = resolved.properties || {};
  return Object.fromEntries(Object.entries(value).map(([key, inner]) =>
    [key, key in properties ? renamedIn(inner, properties[key], root, from, to) : renamedTemplates(inner, from, to)]));
}

// A trait or property: its key may hold {{name}}; its value names a variable when of the
// Variable type.
function renamedRow(row, from, to) {
  const renamed = { ...row, key: renamedTemplates(row.key, from, to) };
  renamed.value = row.type === "variable" ? renamedText(row.value, "variable", from, to) : renamedTemplates(row.value, from, to);
  return renamed;
}

function renamedText(text, ui, from, to) {
  if (ui === "variable") {
    const trimmed = text.trim();
    if (trimmed === from) return to;
    return renamedTemplates(text, from, to);
  }
  if (ui === "expression") return renamedExpression(text, from, to);
  return renamedTemplates(text, from, to);
}

// Any value outside the schema: its texts' {{name}} only.
function renamedTemplates(value, from, to) {
  if (typeof value === "string") {
    return value.replace(PLACEHOLDER, (whole, before, name, after) => (name === from ? `{{${before}${to}${after}}}` : whole));
  }
  if (Array.isArray(value)) return value.map((item) => renamedTemplates(item, from, to));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, renamedTemplates(inner, from, to)]));
  }
  return value;
}

// Names outside quotes, not called as functions; a new name that is not a bare word is
// written {{like-this}}.
function renamedExpression(text, from, to) {
  const replacement = BARE_NAME.test(to) ? to : `{{${to}}}`;
  return text.split(/('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/).map((part, index) => {
    if (index % 2 === 1) return part; // a quoted text
    const templated = renamedTemplates(part, from, to);
    return templated.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (name, offset, whole) => {
      if (name !== from) return name;
      const before = whole.slice(0, offset);
      if (/\{\{\s*$/.test(before) || /^\s*\(/.test(whole.slice(offset + name.length))) return name;
      return replacement;
    });
  }).join("");
}
