// Edits of a flow document, as functions of the document (a copy the history gives them).
// An exit's source is {blockId}, {blockId, itemsKey, index} (a button or condition), or
// {start: true}.

import { newId } from "./ids.js";

export function findBlock(doc, blockId) {
  for (const group of doc.groups) {
    const index = group.blocks.findIndex((block) => block.id === blockId);
    if (index >= 0) return { group, index, block: group.blocks[index] };
  }
  return null;
}

// The document with block `blockId` replaced by `block`, sharing every other group and block
// with `doc` (a new document for the history, without copying the flow).
export function withBlock(doc, blockId, block) {
  const found = findBlock(doc, blockId);
  if (!found) return doc;
  const groups = doc.groups.map((group) => group === found.group ? { ...group, blocks: group.blocks.with(found.index, block) } : group);
  return { ...doc, groups };
}

// The document with `changes` made to group `groupId`'s own fields, sharing the rest with `doc`.
export function withGroup(doc, groupId, changes) {
  return { ...doc, groups: doc.groups.map((group) => group.id === groupId ? { ...group, ...changes } : group) };
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

// `exitKeys(block)` names a block's own exits beside `next` (see BlockCatalog.exitKeys).
export function removeGroup(doc, groupId, exitKeys = () => []) {
  doc.groups = doc.groups.filter((group) => group.id !== groupId);
  for (const group of doc.groups) {
    for (const block of group.blocks) {
      forEachExit(block, exitKeys(block), (holder, key) => {
        if (exitGroup(holder[key]) === groupId) delete holder[key];
      });
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

function forEachExit(block, ownExits, visit) {
  visit(block, "next");
  for (const { key } of ownExits) visit(block, key);
  for (const value of Object.values(block)) {
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      if (item && typeof item === "object" && "next" in item) visit(item, "next");
    }
  }
}

// What holds the exit a handle stands for: a block, one of its items, or one of its own
// exits named by `source.key` (an A/B test's path); and the key the exit is kept under.
export function exitHolder(doc, source) {
  const found = findBlock(doc, source.blockId);
  if (!found) return null;
  const holder = source.itemsKey ? found.block[source.itemsKey][source.index] : found.block;
  return { block: found.block, holder, key: source.key || "next" };
}

export function setExit(doc, source, groupId) {
  if (source.start) {
    doc.start = { ...(doc.start || {}), group: groupId };
    return;
  }
  const exit = exitHolder(doc, source);
  if (exit) exit.holder[exit.key] = groupId;
}

export function removeExit(doc, source) {
  if (source.start) return; // the start always leads somewhere
  const exit = exitHolder(doc, source);
  if (exit) delete exit.holder[exit.key];
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

// -- copies: fresh IDs for the copy, its blocks and items --------------------------------

// A copy of a block with fresh IDs; its exits lead where the original's do.
export function copyOfBlock(block) {
  const copy = structuredClone(block);
  renewItemIds(copy);
  copy.id = newId("b");
  return copy;
}

// A copy of a group at `position`: exits and jumps that led inside the original lead inside
// the copy. `exitKeys(block)` names a block's own exits beside `next`.
export function copyOfGroup(group, position, exitKeys = () => []) {
  const renamed = new Map([[group.id, newId("g")]]);
  const blocks = group.blocks.map((block) => {
    const copy = copyOfBlock(block);
    renamed.set(block.id, copy.id);
    return copy;
  });
  for (const block of blocks) {
    forEachExit(block, exitKeys(block), (holder, key) => {
      holder[key] = pointedInside(holder[key], renamed);
    });
    if (block.type === "jump") {
      if (renamed.has(block.group)) block.group = renamed.get(block.group);
      if (renamed.has(block.block)) block.block = renamed.get(block.block);
    }
  }
  return {
    ...structuredClone(group),
    id: renamed.get(group.id),
    title: `${group.title || "Group"} copy`,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    blocks,
  };
}

// Pasted into another flow, a copy's exits to groups this flow lacks are dropped.
export function dropExitsToMissingGroups(doc, block, exitKeys = () => []) {
  const known = new Set(doc.groups.map((group) => group.id));
  forEachExit(block, exitKeys(block), (holder, key) => {
    const target = exitGroup(holder[key]);
    if (target && !known.has(target)) delete holder[key];
  });
}

function pointedInside(next, renamed) {
  if (!next) return next;
  if (typeof next === "string") return renamed.get(next) || next;
  const moved = { ...next, group: renamed.get(next.group) || next.group };
  if (next.block) moved.block = renamed.get(next.block) || next.block;
  return moved;
}

function renewItemIds(value) {
  if (Array.isArray(value)) value.forEach(renewItemIds);
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "id" && typeof inner === "string") value.id = newId("i");
      else renewItemIds(inner);
    }
  }
}

export function addCopyOfGroup(doc, group, position, exitKeys) {
  const taken = new Set(doc.groups.map((other) => other.title));
  const copy = copyOfGroup(group, position, exitKeys);
  let title = copy.title;
  for (let number = 2; taken.has(title); number += 1) title = `${copy.title} ${number}`;
  copy.title = title;
  for (const block of copy.blocks) dropExitsToMissingGroups({ groups: [...doc.groups, copy] }, block, exitKeys);
  doc.groups.push(copy);
  return copy;
}
