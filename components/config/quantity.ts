// Kubernetes resource quantities ("500m", "4Gi", "1.5", "10G"), parsed so config validation can
// compare and derive sizes before anything reaches the API server.

const SUFFIX_FACTORS: Record<string, number> = {
  "": 1,
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

const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** The quantity's value in base units (cores, bytes), or undefined when it is not a valid quantity. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, digits = "", suffix = ""] = match;
  const factor = SUFFIX_FACTORS[suffix];
  return factor === undefined ? undefined : Number(digits) * factor;
}

export const MEBIBYTE = 2 ** 20;
export const GIBIBYTE = 2 ** 30;
