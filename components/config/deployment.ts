// hadb:chartRepository and hadb:keepDataOnDestroy: where charts come from and what destroy keeps.
import type { ConfigKey } from "./keys";
import type { Problems } from "./problems";
import type { DeploymentSettings } from "./types";

const MIRROR_PROTOCOLS = ["http:", "https:", "oci:"];

/** Reads the deployment keys; `value(key)` gives a key's value with its default applied. */
export function readDeployment(problems: Problems, value: (key: ConfigKey) => unknown): DeploymentSettings {
  const keep = value("keepDataOnDestroy");
  if (typeof keep !== "boolean") problems.add("hadb:keepDataOnDestroy", keep, "must be true or false");
  return {
    chartRepository: readChartRepository(problems, value("chartRepository")),
    keepDataOnDestroy: keep !== false,
  };
}

function readChartRepository(problems: Problems, raw: unknown): string | undefined {
  const key = "hadb:chartRepository";
  if (raw === "" || raw === undefined) return undefined;
  if (typeof raw !== "string") {
    problems.add(key, raw, "must be a Helm repository URL");
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.add(key, raw, "must be a Helm repository URL: http(s)://host/path or oci://registry/path");
    return undefined;
  }
  if (!MIRROR_PROTOCOLS.includes(url.protocol)) {
    problems.add(key, raw, "must be a Helm repository URL: http(s)://host/path or oci://registry/path");
    return undefined;
  }
  if (url.username !== "" || url.password !== "") {
    problems.add(key, raw, "must not embed credentials (configure Helm's repository credentials instead)");
    return undefined;
  }
  if (url.search !== "" || url.hash !== "") {
    problems.add(key, raw, "must not have a query or fragment");
    return undefined;
  }
  return raw.replace(/\/+$/, "");
}
