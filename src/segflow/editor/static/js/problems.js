// The flow's problems as the API located them, by block and by field. Errors keep the draft
// from being published (not from being saved); warnings (level "warning") are only shown.

export function isError(problem) {
  return problem.level !== "warning";
}

export function pathKey(path) {
  return path.join(".");
}

export class ProblemIndex {
  constructor(problems = []) {
    this.all = problems;
  }

  // The errors: what keeps the draft from being published.
  get count() {
    return this.all.filter(isError).length;
  }

  get warningCount() {
    return this.all.length - this.count;
  }

  forBlock(blockId) {
    return this.all.filter((problem) => problem.blockId === blockId);
  }

  forField(blockId, path) {
    const key = pathKey(path);
    return this.all.find(
      (problem) => problem.blockId === blockId && problem.field.length && pathKey(problem.field) === key,
    );
  }

  // Problems of a block that no field of its form shows.
  unplaced(blockId, shownKeys) {
    return this.forBlock(blockId).filter(
      (problem) => !problem.field.length || !shownKeys.has(pathKey(problem.field)),
    );
  }
}
