// The CRDs each stand-in chart installs. Filled from the upstream-generated CRD catalog (issue 14,
// test/crds) once it is on this branch; until then the stand-in charts install none.
import type { StandInChart } from "./chart-repo";

export function standInCrds(_chart: StandInChart): string[] {
  return [];
}
