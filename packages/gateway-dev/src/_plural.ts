/** A count and its noun, singular for exactly one: `1 client`, `2 clients`, `1 entry`. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
