// The flow's problems as the API located them, by block and by field.

export function pathKey(path) {
  return path.join(".");
}

export class ProblemIndex {
  constructor(problems = []) {
    this.all = problems;
  }

  get count() {
    return this.all.length;
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
