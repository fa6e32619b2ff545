// Values in the ready stack files that only stand in for the user's own (a project ID, a host, a secret,
// a zone name). `npm run synth` lists them and docs/stacks.md tabulates them, so a copied stack file
// says what to replace before `pulumi up`.

/** One value a user must replace: where it is, what it is now, and what goes there instead. */
export interface Placeholder {
  /** Config key, with a path inside structured values: `hadb:portworx.azure.tenantId`. */
  key: string;
  value: string;
  replaceWith: string;
}

interface Rule {
  matches: (key: string, value: string) => boolean;
  replaceWith: (key: string) => string;
}

const RULES: Rule[] = [
  {
    matches: (key, value) => key.endsWith(".secure") && /example/i.test(value),
    replaceWith: (key) =>
      `your own secret: \`pulumi config set --secret ${key.replace(/\.secure$/, "")} <value>\` (the file holds no real ciphertext)`,
  },
  {
    matches: (key) => key === "gcp:project",
    replaceWith: () => "your GCP project ID (`gcloud config get-value project`)",
  },
  {
    matches: (key, value) => key.endsWith(".primaryStack") && value.startsWith("acme/"),
    replaceWith: () =>
      "the primary's full stack name: `<org>/hadb/<stack>` (`pulumi stack ls`; `organization/hadb/<stack>` on a self-managed backend)",
  },
  {
    matches: (_key, value) => /^00000000-0000-4000-8000-0000000000\d\d$/.test(value),
    replaceWith: (key) =>
      key.endsWith("tenantId")
        ? "your Azure AD tenant ID (`az account show --query tenantId`)"
        : "your service principal's application ID (`az ad sp create-for-rbac` prints it)",
  },
  {
    matches: (_key, value) => /^zone-\d+$/.test(value),
    replaceWith: () => "a zone your nodes are in (`kubectl get nodes -L topology.kubernetes.io/zone`)",
  },
  {
    matches: (key) => key.endsWith("restoreFrom.longhornBackup"),
    replaceWith: () =>
      "a backup's URL from the source cluster (`kubectl -n longhorn-system get backups.longhorn.io -o jsonpath='{.items[*].status.url}'`)",
  },
  {
    matches: (_key, value) => /(^|[.\-/:@])example([.\-/:]|$)/.test(value),
    replaceWith: () => "your own server (the `example` names are placeholders)",
  },
];

/** Flattens a stack file's `config:` (YAML values) into dotted keys and string leaves. */
function leaves(prefix: string, value: unknown, out: [string, string][]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      leaves(`${prefix}[${index}]`, item, out);
    });
  } else if (value !== null && typeof value === "object")
    for (const [key, item] of Object.entries(value)) leaves(`${prefix}.${key}`, item, out);
  else if (typeof value === "string") out.push([prefix, value]);
}

/** The placeholders of one stack file's `config:` block, in file order. */
export function placeholdersOf(config: Record<string, unknown>): Placeholder[] {
  const found: Placeholder[] = [];
  for (const [topKey, value] of Object.entries(config)) {
    const flat: [string, string][] = [];
    leaves(topKey, value, flat);
    for (const [key, text] of flat) {
      const rule = RULES.find((candidate) => candidate.matches(key, text));
      if (rule) found.push({ key, value: text, replaceWith: rule.replaceWith(key) });
    }
  }
  return found;
}
