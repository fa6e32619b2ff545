// Validation of `hadb:monitoring`: who runs Prometheus (nobody, the cluster's own prometheus-operator,
// or a kube-prometheus-stack hadb installs) and the labels that cluster's Prometheus selects by.
import { DNS_LABEL, isRecord, oneOf, Problems } from "./problems";
import { MONITORING_MODES, type MonitoringSettings } from "./types";

export const MONITORING_DEFAULTS: MonitoringSettings = {
  // Off unless asked: "operator" needs the prometheus-operator CRDs in the cluster (hadb cannot see the
  // cluster before it deploys), and "install" adds a whole monitoring stack.
  mode: "off",
  labels: {},
  namespace: "monitoring",
};

const MONITORING_KEYS = ["mode", "labels", "namespace"];
/** Kubernetes label keys: an optional DNS-subdomain prefix, then a name of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function readMonitoring(problems: Problems, key: string, value: unknown): MonitoringSettings {
  if (!isRecord(value)) {
    problems.add(key, value, `must be an object like {mode: "install"}; modes: ${oneOf(MONITORING_MODES)}`);
    return MONITORING_DEFAULTS;
  }
  problems.unknownKeys(key, value, MONITORING_KEYS);
  const mode = problems.choice(
    `${key}.mode`,
    value.mode ?? MONITORING_DEFAULTS.mode,
    MONITORING_MODES,
    {},
    "off",
  );
  const settings: MonitoringSettings = { ...MONITORING_DEFAULTS, mode };
  if (value.labels !== undefined) {
    if (mode === "off")
      problems.add(`${key}.labels`, value.labels, 'only applies with mode "operator" or "install"');
    else settings.labels = readLabels(problems, `${key}.labels`, value.labels);
  }
  if (value.namespace !== undefined) {
    if (mode !== "install")
      problems.add(
        `${key}.namespace`,
        value.namespace,
        `only applies with mode "install" (mode is "${mode}"): it is where hadb installs kube-prometheus-stack`,
      );
    else
      settings.namespace =
        problems.string(
          `${key}.namespace`,
          value.namespace,
          DNS_LABEL,
          "must be a DNS label (lowercase letters, digits, '-', starting with a letter)",
        ) ?? MONITORING_DEFAULTS.namespace;
  }
  return settings;
}

function readLabels(problems: Problems, key: string, value: unknown): Record<string, string> {
  if (!isRecord(value)) {
    problems.add(
      key,
      value,
      'must be an object of label names to values, e.g. {release: "kube-prometheus-stack"}',
    );
    return {};
  }
  const labels: Record<string, string> = {};
  for (const [name, label] of Object.entries(value)) {
    if (!LABEL_KEY.test(name))
      problems.add(`${key}.${name}`, label, "has a key that is not a Kubernetes label name");
    else if (typeof label !== "string" || !LABEL_VALUE.test(label))
      problems.add(
        `${key}.${name}`,
        label,
        "must be a Kubernetes label value (a string of at most 63 letters, digits, '-', '_', '.')",
      );
    else labels[name] = label;
  }
  return labels;
}
