/**
 * Whether a parsed body (JSON or form) nests objects or arrays more than `maxDepth` levels deep;
 * the top-level object or array is level 1. It walks with an explicit stack, so a body far deeper
 * than the call stack is measured without overflowing it, and it stops at the first path too deep.
 */
export function exceedsDepth(body: unknown, maxDepth: number): boolean {
  const values: object[] = [];
  const depths: number[] = [];
  if (isContainer(body)) {
    values.push(body);
    depths.push(1);
  }
  while (values.length > 0) {
    const value = values.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    for (const child of Object.values(value)) {
      if (isContainer(child)) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
