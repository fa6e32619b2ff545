// The CPF merge file: IRIS merges it into iris.cpf at every start (and on change while running). Its
// [Actions] (idempotent) create the application's database, namespace and role (accounts.ts).
import type { IrisSettings } from "../../config/types";
import { irisAccountActions } from "./accounts";

export function irisCpfMerge(settings: IrisSettings, dataDirectory: string): string {
  const lines = [
    "[config]",
    // globals: MB per block size (4K,8K,16K,32K,64K); databases use 8 KB blocks.
    `globals=0,0,${settings.globalBuffersMB},0,0,0`,
    `gmheap=${settings.gmheapKB}`,
    ...Object.entries(settings.cpfConfig).map(([key, value]) => `${key}=${value}`),
    ...irisAccountActions(settings, dataDirectory),
  ];
  return `${lines.join("\n")}\n`;
}
