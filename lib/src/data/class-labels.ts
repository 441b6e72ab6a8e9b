/** Labels as the course's models want them, class ids 0..k-1, from whatever a learner's data uses. */

/**
 * Class ids and names. Whole numbers 0..k-1 stay as they are (names '0'..'k-1'); anything else (words such as
 * 'positive', or numbers such as 1/2 or -1/1) is numbered in sorted order of its distinct values.
 */
export function classIds(labels: ArrayLike<string | number>): { ids: Int32Array; classNames: string[] } {
  const values = Array.from(labels);
  const isId = (v: string | number) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (values.length > 0 && values.every(isId)) {
    const k = Math.max(...(values as number[])) + 1;
    return { ids: Int32Array.from(values as number[]), classNames: Array.from({ length: k }, (_, i) => String(i)) };
  }
  const distinct = [...new Set(values.map(String))].sort((a, b) => {
    const [na, nb] = [Number(a), Number(b)];
    return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b, 'en');
  });
  const idOf = new Map(distinct.map((name, i) => [name, i]));
  return { ids: Int32Array.from(values, (v) => idOf.get(String(v))!), classNames: distinct };
}
