/**
 * Deepest nesting of arrays and objects accepted in a JSON request body. Real bodies nest at most
 * 4 levels; JSON.stringify, validators and presenters recurse per level, so a body nested thousands
 * deep must be refused as soon as it is parsed.
 */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests arrays/objects deeper than `max` levels (iterative: never overflows the stack). */
export function jsonTooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
