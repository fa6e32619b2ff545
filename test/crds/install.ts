// Installs every generated CRD set on a control plane (server-side apply), waiting until each CRD is
// Established so custom resources can be applied right after.
import type { ControlPlane } from "../controlplane/cluster";
import { CRD_SETS, crdFiles } from "./catalog";

export async function installCrds(cp: ControlPlane): Promise<number> {
  const files = CRD_SETS.flatMap(crdFiles);
  for (const file of files)
    await cp.kubectl(["apply", "--server-side", "--field-manager=hadb-e2e", "-f", file]);
  await cp.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
  return files.length;
}
