/** Multipliers of the Kubernetes quantity suffixes (k8s.io/apimachinery/pkg/api/resource). */
const SUFFIXES: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * The value of a quantity, e.g. `128Mi` → 134217728, `100m` → 0.1; NaN for anything else (a value
 * `checkQuantity` reported, which the constructs and the planner go on with), so that no comparison holds.
 */
export function quantityValue(quantity: string): number {
  const match = /^([+-]?[0-9.]+)(?:([eE][+-]?[0-9.]+)|([a-zA-Z]*))$/.exec(String(quantity));
  if (!match) return NaN;
  const [, number, exponent, suffix] = match;
  return exponent ? Number(`${number}${exponent}`) : Number(number) * (SUFFIXES[suffix ?? ''] ?? NaN);
}
