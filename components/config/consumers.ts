// Validation of a database entry's `consumerNamespaces`: the namespaces of applications that get their own
// copy of the database's connection Secret (hadb keeps it current at every `pulumi up`, rotations included).
import { DNS_LABEL, type Problems } from "./problems";

export function readConsumerNamespaces(problems: Problems, key: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(key, value, 'must be a list of namespaces, e.g. ["shop", "reporting"]');
    return [];
  }
  const namespaces: string[] = [];
  value.forEach((namespace: unknown, index) => {
    const name = problems.string(
      `${key}[${index}]`,
      namespace,
      DNS_LABEL,
      "must be a namespace name (a DNS label: lowercase letters, digits, '-', starting with a letter)",
    );
    if (name === undefined) return;
    if (namespaces.includes(name))
      problems.add(`${key}[${index}]`, name, "is listed twice: each namespace gets one copy");
    else namespaces.push(name);
  });
  return namespaces;
}
