/** Small dense matrices (row-major number[][]) for the exact solution of the linear PK system. */
export type Matrix = number[][];

export const zeros = (n: number): Matrix => Array.from({ length: n }, () => new Array<number>(n).fill(0));

export const identity = (n: number): Matrix => {
  const m = zeros(n);
  for (let i = 0; i < n; i++) m[i]![i] = 1;
  return m;
};

export function multiply(a: Matrix, b: Matrix): Matrix {
  const n = a.length;
  const out = zeros(n);
  for (let i = 0; i < n; i++) {
    const ai = a[i]!;
    const oi = out[i]!;
    for (let k = 0; k < n; k++) {
      const aik = ai[k]!;
      if (aik === 0) continue;
      const bk = b[k]!;
      for (let j = 0; j < n; j++) oi[j]! += aik * bk[j]!;
    }
  }
  return out;
}

const normInf = (m: Matrix) => Math.max(...m.map((row) => row.reduce((s, x) => s + Math.abs(x), 0)));

/**
 * Matrix exponential by scaling and squaring with a Taylor series. The PK matrices are small and
 * well conditioned (real, negative eigenvalues), so scaling to norm <= 0.5 and 18 terms give
 * double precision.
 */
export function expm(m: Matrix): Matrix {
  const n = m.length;
  const norm = normInf(m);
  const squarings = norm > 0.5 ? Math.ceil(Math.log2(norm / 0.5)) : 0;
  const scale = 2 ** -squarings;
  const a = m.map((row) => row.map((x) => x * scale));
  let result = identity(n);
  let term = identity(n);
  for (let k = 1; k <= 18; k++) {
    term = multiply(term, a).map((row) => row.map((x) => x / k));
    result = result.map((row, i) => row.map((x, j) => x + term[i]![j]!));
  }
  for (let s = 0; s < squarings; s++) result = multiply(result, result);
  return result;
}
