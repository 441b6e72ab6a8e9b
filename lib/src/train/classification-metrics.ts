/**
 * Classification metrics on plain label arrays: accuracy, confusion matrix, per-class and macro
 * precision/recall/F1, and the binary scores of the positive class. No tensors, no plotting.
 */

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples of the class. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  /** `confusion[trueClass][predictedClass]` = count. */
  confusion: number[][];
  perClass: ClassScores[];
  /** Unweighted mean over classes of precision, recall and F1. */
  macro: { precision: number; recall: number; f1: number };
  /** Scores of class 1 (the positive class), for two-class problems. */
  binary?: ClassScores;
  /** Number of examples. */
  count: number;
}

/**
 * Compare true and predicted class ids (integers in [0, numClasses)). Scores with a zero denominator are 0
 * (e.g. precision of a class never predicted).
 */
export function classificationReport(
  trueLabels: ArrayLike<number>,
  predictedLabels: ArrayLike<number>,
  numClasses?: number,
): ClassificationReport {
  const n = trueLabels.length;
  if (predictedLabels.length !== n) throw new Error(`${n} true labels but ${predictedLabels.length} predictions`);
  if (n === 0) throw new Error('no labels to score');
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < n; i++) k = Math.max(k, trueLabels[i] + 1, predictedLabels[i] + 1);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = trueLabels[i];
    const p = predictedLabels[i];
    if (!isClassId(t, k) || !isClassId(p, k)) throw new Error(`label ${isClassId(t, k) ? p : t} at ${i} is not a class id in [0, ${k})`);
    confusion[t][p]++;
    if (t === p) correct++;
  }
  const perClass = confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, r) => sum + r[c], 0);
    const precision = safeDivide(tp, predicted);
    const recall = safeDivide(tp, support);
    return { precision, recall, f1: safeDivide(2 * precision * recall, precision + recall), support };
  });
  const mean = (key: 'precision' | 'recall' | 'f1') => perClass.reduce((s, c) => s + c[key], 0) / k;
  return {
    accuracy: correct / n,
    confusion,
    perClass,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    ...(k === 2 ? { binary: perClass[1] } : {}),
    count: n,
  };
}

function isClassId(value: number, k: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < k;
}

function safeDivide(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}
