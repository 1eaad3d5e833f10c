// Reading the block options' JSON Schemas (as pydantic writes them): references, nullable
// fields, the variants of a union, and the defaults of a new block.

import { newId } from "./ids.js";

export function resolve(schema, root) {
  let current = schema || {};
  while (current.$ref) {
    const name = current.$ref.split("/").pop();
    current = { ...(root.$defs || {})[name], ...withoutRef(current) };
  }
  return current;
}

function withoutRef(schema) {
  const { $ref, ...rest } = schema;
  return rest;
}

// {schema, nullable}: `X | None` is written anyOf [X, null].
export function unwrapNullable(schema, root) {
  const resolved = resolve(schema, root);
  const members = resolved.anyOf;
  if (!members) return { schema: resolved, nullable: false };
  const others = members.filter((member) => member.type !== "null");
  if (others.length === 1 && others.length < members.length) {
    const { anyOf, ...outer } = resolved;
    return { schema: { ...resolve(others[0], root), ...outer }, nullable: true };
  }
  return { schema: resolved, nullable: false };
}

// The shapes a block's options may take: one per Segment action, else the schema itself.
export function variantsOf(schema) {
  return (schema.oneOf || [schema]).map((member) => resolve(member, schema));
}

export function isExit(schema) {
  return schema.ui === "exit";
}

export function requiredIn(schema) {
  return new Set(schema.required || []);
}

// A new value for a schema: its default, else an empty value of its type. A new object holds
// its required keys only (the form shows the defaults of the others); a list that needs an
// item gets one; an item's "id" gets a fresh one.
export function newValue(schema, root) {
  const { schema: resolved, nullable } = unwrapNullable(schema, root);
  if ("default" in resolved) return structuredClone(resolved.default);
  if ("const" in resolved) return resolved.const;
  if (nullable) return null;
  switch (resolved.type) {
    case "object":
      return newObject(resolved, root);
    case "array":
      return resolved.minItems ? [newValue(resolved.items, root)] : [];
    case "boolean":
      return false;
    case "number":
    case "integer":
      return null;
    default:
      return resolved.enum ? resolved.enum[0] : "";
  }
}

export function newObject(schema, root) {
  const value = {};
  const required = requiredIn(schema);
  for (const [key, property] of Object.entries(schema.properties || {})) {
    if (isExit(property)) continue;
    if (key === "id") value.id = newId("i");
    else if (required.has(key) || "const" in property) {
      value[key] = newValue(property, root);
    }
  }
  return value;
}

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

export function variablesIn(text) {
  return [...String(text).matchAll(PLACEHOLDER)].map((match) => match[1]);
}
