/** Activation functions and their derivatives, computed with TF.js itself (tf.grad), side by side. */
import * as tf from '@tensorflow/tfjs';
import type { TopLevelSpec } from 'vega-lite';
import { ChartOptions, finishSpec } from './common';

export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'elu' | 'selu' | 'softplus' | 'swish' | 'gelu' | 'linear';

const BUILT_IN: Record<ActivationName, (x: tf.Tensor) => tf.Tensor> = {
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  relu: (x) => tf.relu(x),
  leakyRelu: (x) => tf.leakyRelu(x, 0.1),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  softplus: (x) => tf.softplus(x),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  // tanh approximation of GELU, as in the original paper and in Transformers
  gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))),
  linear: (x) => tf.clone(x),
};

export type ActivationSpec = ActivationName | { name: string; fn: (x: tf.Tensor) => tf.Tensor };

export interface ActivationChartOptions extends ChartOptions {
  /** x range (default [-4, 4]). */
  range?: [number, number];
  /** Points per curve (default 161). */
  samples?: number;
  /** Also draw the derivatives panel (default true). */
  derivatives?: boolean;
}

/** Values and derivatives of element-wise activations on a grid; the derivative comes from tf.grad. */
export function activationCurves(fns: ActivationSpec[], range: [number, number] = [-4, 4], samples = 161) {
  if (!(samples >= 2)) throw new Error('activationCurves: samples must be >= 2');
  const rows: Array<{ x: number; value: number; fn: string; panel: string }> = [];
  for (const spec of fns) {
    const name = typeof spec === 'string' ? spec : spec.name;
    const fn = typeof spec === 'string' ? BUILT_IN[spec] : spec.fn;
    if (!fn) throw new Error(`unknown activation "${name}"; known: ${Object.keys(BUILT_IN).join(', ')}`);
    const [xs, ys, ds] = tf.tidy(() => {
      const x = tf.linspace(range[0], range[1], samples);
      // the sum's gradient is the element-wise derivative for element-wise functions
      const d = tf.grad((t: tf.Tensor) => fn(t))(x);
      return [x.dataSync(), fn(x).dataSync(), d.dataSync()];
    });
    // 5 significant digits keep the inline data small; the curves look the same
    const r = (v: number) => Number(v.toPrecision(5));
    xs.forEach((x, i) => {
      rows.push({ x: r(x), value: r(ys[i]), fn: name, panel: 'f(x)' });
      rows.push({ x: r(x), value: r(ds[i]), fn: name, panel: "f'(x)" });
    });
  }
  return rows;
}

export function activationFunctionsChart(
  fns: ActivationSpec[] = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'gelu'],
  options: ActivationChartOptions = {},
): TopLevelSpec {
  const rows = activationCurves(fns, options.range, options.samples);
  const names = fns.map((f) => (typeof f === 'string' ? f : f.name));
  const panels = options.derivatives === false ? ['f(x)'] : ['f(x)', "f'(x)"];
  const panel = (title: string) => ({
    width: options.width ?? 260,
    height: options.height ?? 200,
    title,
    transform: [{ filter: { field: 'panel', equal: title } }],
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'x' },
      y: { field: 'value', type: 'quantitative', title },
      color: { field: 'fn', type: 'nominal', title: 'activation', sort: names },
    },
  });
  return finishSpec({ data: { values: rows.filter((r) => panels.includes(r.panel)) }, hconcat: panels.map(panel) }, options);
}
