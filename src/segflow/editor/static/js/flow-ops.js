// Edits of a flow document, as functions of the document (a copy the history gives them).
// An exit's source is {blockId}, {blockId, itemsKey, index} (a button or condition),
// {blockId, exitKey} (a block's other exit, e.g. an HTTP request's failure), or {start: true}.

import { newId } from "./ids.js";

export function findBlock(doc, blockId) {
  for (const group of doc.groups) {
    const index = group.blocks.findIndex((block) => block.id === blockId);
    if (index >= 0) return { group, index, block: group.blocks[index] };
  }
  return null;
}

export function findGroup(doc, groupId) {
  return doc.groups.find((group) => group.id === groupId) || null;
}

export function addGroup(doc, position, blocks = []) {
  const taken = new Set(doc.groups.map((group) => group.title));
  let number = doc.groups.length + 1;
  while (taken.has(`Group ${number}`)) number += 1;
  const group = {
    id: newId("g"),
    title: `Group ${number}`,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    blocks,
  };
  doc.groups.push(group);
  return group;
}

export function insertBlock(doc, groupId, index, block) {
  const group = findGroup(doc, groupId);
  group.blocks.splice(Math.min(index, group.blocks.length), 0, block);
}

export function moveBlock(doc, blockId, groupId, index) {
  const found = findBlock(doc, blockId);
  if (!found) return;
  found.group.blocks.splice(found.index, 1);
  const sameGroup = found.group.id === groupId;
  insertBlock(doc, groupId, sameGroup && index > found.index ? index - 1 : index, found.block);
}

export function removeBlock(doc, blockId) {
  const found = findBlock(doc, blockId);
  if (found) found.group.blocks.splice(found.index, 1);
}

// `exitKeysOf(block)` names a block's exits beside `next` (e.g. an HTTP request's failure).
export function removeGroup(doc, groupId, exitKeysOf = () => []) {
  doc.groups = doc.groups.filter((group) => group.id !== groupId);
  for (const group of doc.groups) {
    for (const block of group.blocks) {
      forEachExit(block, (holder) => {
        if (exitGroup(holder.next) === groupId) delete holder.next;
      });
      for (const key of exitKeysOf(block)) {
        if (exitGroup(block[key]) === groupId) delete block[key];
      }
    }
  }
  if (doc.start && doc.start.group === groupId) {
    if (doc.groups.length) doc.start.group = doc.groups[0].id;
    else delete doc.start;
  }
}

export function exitGroup(next) {
  if (!next) return null;
  return typeof next === "string" ? next : next.group;
}

function forEachExit(block, visit) {
  visit(block);
  for (const value of Object.values(block)) {
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      if (item && typeof item === "object" && "next" in item) visit(item);
    }
  }
}

function exitHolder(doc, source) {
  const found = findBlock(doc, source.blockId);
  if (!found) return null;
  return source.itemsKey ? found.block[source.itemsKey][source.index] : found.block;
}

export function setExit(doc, source, groupId) {
  if (source.start) {
    doc.start = { ...(doc.start || {}), group: groupId };
    return;
  }
  const holder = exitHolder(doc, source);
  if (holder) holder[source.exitKey || "next"] = groupId;
}

export function removeExit(doc, source) {
  if (source.start) return; // the start always leads somewhere
  const holder = exitHolder(doc, source);
  if (holder) delete holder[source.exitKey || "next"];
}

export function entryGroup(doc) {
  return doc.start?.group || doc.groups[0]?.id || null;
}

export function declareVariable(doc, name) {
  const trimmed = String(name || "").trim();
  if (!trimmed) return;
  doc.variables = doc.variables || [];
  if (!doc.variables.some((variable) => variable.name === trimmed)) {
    doc.variables.push({ name: trimmed });
  }
}
