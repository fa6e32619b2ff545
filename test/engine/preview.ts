// Reading the engine's own account of a preview: `pulumi preview --json` (which resources it would
// create, update, replace or delete, and which of those hold data) and the human output of the PR
// check (policy pack results and the change summary; --json leaves policy results out).
import { holdsData } from "../../components/deployment/data-retention";

export interface PreviewStep {
  op: string;
  urn: string;
  type: string;
  replaceReasons?: string[];
  diffReasons?: string[];
  inputs: Record<string, unknown>;
}

interface RawStep {
  op: string;
  urn: string;
  oldState?: { type?: string; inputs?: Record<string, unknown> };
  newState?: { type?: string; inputs?: Record<string, unknown> };
  replaceReasons?: string[];
  diffReasons?: string[];
}

export interface Preview {
  steps: PreviewStep[];
  changeSummary: Record<string, number>;
  diagnostics: { message?: string; severity?: string }[];
}

/** The resource type of a URN (urn:pulumi:stack::project::parent$type::name). */
export function urnType(urn: string): string {
  const typePart = urn.split("::")[2] ?? "";
  return typePart.slice(typePart.lastIndexOf("$") + 1);
}

export function parsePreview(json: string): Preview {
  const raw = JSON.parse(json) as {
    steps?: RawStep[];
    changeSummary?: Record<string, number>;
    diagnostics?: Preview["diagnostics"];
  };
  return {
    steps: (raw.steps ?? []).map((s) => ({
      op: s.op,
      urn: s.urn,
      type: s.newState?.type ?? s.oldState?.type ?? urnType(s.urn),
      replaceReasons: s.replaceReasons,
      diffReasons: s.diffReasons,
      inputs: s.newState?.inputs ?? s.oldState?.inputs ?? {},
    })),
    changeSummary: raw.changeSummary ?? {},
    diagnostics: raw.diagnostics ?? [],
  };
}

/** Operations that destroy what a resource held. */
const DESTRUCTIVE = new Set(["delete", "replace", "create-replacement", "delete-replaced", "discard"]);

/** Steps that would replace or delete a claim, volume, Secret or other data-bearing resource. */
export function dataLosses(preview: Preview): PreviewStep[] {
  return preview.steps.filter((s) => DESTRUCTIVE.has(s.op) && holdsData(s.type, s.inputs));
}

/** Steps that change anything (everything but `same`). */
export function changes(preview: Preview): PreviewStep[] {
  return preview.steps.filter((s) => s.op !== "same");
}

export const describeStep = (s: PreviewStep): string =>
  `${s.op} ${s.type} ${s.urn.slice(s.urn.lastIndexOf("::") + 2)}${
    s.replaceReasons?.length ? ` (replace: ${s.replaceReasons.join(", ")})` : ""
  }`;

/**
 * The PR check's human output: did hadb's policy pack run with no mandatory violation (passed, or
 * only advisory notes such as a policy that cannot see a value until deploy), its advisory notes,
 * and the "Resources:" summary.
 */
export function previewSummary(text: string): {
  policyPassed: boolean;
  advisories: string[];
  counts: Record<string, number>;
} {
  const counts: Record<string, number> = {};
  const section = text.slice(text.lastIndexOf("\nResources:"));
  for (const m of section.matchAll(/^\s+[+~\-±]*\s*(\d+) to (\w+)/gm)) counts[m[2] ?? ""] = Number(m[1]);
  for (const m of section.matchAll(/^\s+(\d+) unchanged/gm)) counts.unchanged = Number(m[1]);
  const ran = /Policies:\s*\n\s*(✅|⚠️) hadb@/.test(text);
  const advisories = [...text.matchAll(/- \[advisory\]\s+(\S+)\s+\(([^)]*)\)/g)].map(
    (m) => `${m[1]} (${m[2]})`,
  );
  return { policyPassed: ran && !text.includes("[mandatory]"), advisories, counts };
}
