// The block types the server knows, read from their options' JSON Schemas: their titles and
// families for the palette, a new block's options, the exits of items, a one-line summary.

import { newId } from "./ids.js";
import { newObject, resolve, variantsOf, isExit } from "./schema.js";

export const CATEGORIES = [
  { name: "bubble", title: "Bubbles" },
  { name: "input", title: "Inputs" },
  { name: "logic", title: "Logic" },
  { name: "integration", title: "Segment & integrations" },
];

const BLOCK_KEYS = new Set(["id", "type", "next"]);

export class BlockCatalog {
  constructor(types) {
    this.types = new Map(types.map((type) => [type.name, type]));
  }

  get(name) {
    return this.types.get(name);
  }

  inCategory(category) {
    return [...this.types.values()].filter((type) => type.category === category);
  }

  title(name) {
    return this.get(name)?.title || name;
  }

  // The schema of this block's options: for a union (the Segment block), the chosen variant.
  schemaOf(block) {
    const type = this.get(block.type);
    if (!type) return null;
    const variants = variantsOf(type.schema);
    const tag = type.schema.discriminator?.propertyName;
    if (!tag) return variants[0];
    return variants.find((variant) => variant.properties[tag].const === block[tag]) || variants[0];
  }

  newBlock(name) {
    const type = this.get(name);
    const options = newObject(variantsOf(type.schema)[0], type.schema);
    return { id: newId("b"), type: name, ...options };
  }

  // The list of items that carry exits of their own (buttons, conditions), if any.
  itemsKey(block) {
    const schema = this.schemaOf(block);
    for (const [key, property] of Object.entries(schema?.properties || {})) {
      if (property.type !== "array") continue;
      const item = resolve(property.items, this.get(block.type).schema);
      if (Object.values(item.properties || {}).some(isExit)) return key;
    }
    return null;
  }

  // The block's own exits beside `next`, e.g. an HTTP request's failure: [{key, title}].
  exitKeys(block) {
    const schema = this.schemaOf(block);
    return Object.entries(schema?.properties || {})
      .filter(([key, property]) => key !== "next" && isExit(property))
      .map(([key, property]) => ({ key, title: property.title || key }));
  }

  summary(block) {
    const schema = this.schemaOf(block);
    if (!schema) return `Unknown block type "${block.type}"`;
    const tag = this.get(block.type).schema.discriminator?.propertyName;
    const parts = tag ? [block[tag]] : [];
    for (const [key, property] of Object.entries(schema.properties)) {
      const value = block[key];
      if (BLOCK_KEYS.has(key) || key === tag || property.advanced) continue;
      if (typeof value === "string" && value.trim() && property.ui !== "destination") {
        parts.push(property.ui === "variable" ? `→ ${value}` : value);
        break;
      }
    }
    return parts.join(": ") || this.title(block.type);
  }
}

export function itemLabel(item, index) {
  if (item.label) return item.label;
  const comparisons = (item.comparisons || []).map(
    (comparison) => `${comparison.variable} ${comparison.operator} ${comparison.value || ""}`.trim(),
  );
  return comparisons.length ? comparisons.join(item.match === "any" ? " or " : " and ") : `#${index + 1}`;
}
