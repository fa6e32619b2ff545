// Child-process entry (one Pulumi runtime per process): evaluates another Pulumi project (the example
// consumer) under the mock runtime, with its StackReferences answered by hadb stacks' offline outputs.
// usage: evaluate-project.ts <project dir> <project name> <stack file> <references.json> <out.json>
// references.json: { "<StackReference name>": <ReferencedStack> }. out.json: resources and outputs,
// secrets redacted; a failing program writes { error } instead.
import { readFileSync, writeFileSync } from "node:fs";
import { evaluateProgram, EvaluationError, type ReferencedStack } from "../../tools/synth/evaluate";
import { readStackFile } from "../../tools/synth/stackfile";
import { redact } from "../../tools/synth/write";

const [projectRoot = "", project = "", stackPath = "", referencesPath = "", outPath = ""] =
  process.argv.slice(2);

/** The program's own failure (also when it escapes as an unhandled rejection): recorded, not a crash. */
function failed(error: unknown): void {
  const cause = error instanceof EvaluationError ? error.error : error;
  writeFileSync(outPath, JSON.stringify({ error: cause instanceof Error ? cause.message : String(cause) }));
  process.exit(0);
}
process.on("unhandledRejection", failed);

async function main(): Promise<void> {
  const stackFile = readStackFile(projectRoot, stackPath);
  const evaluation = await evaluateProgram({
    projectRoot,
    project,
    stack: stackFile.stack,
    config: stackFile.config,
    secretKeys: stackFile.secretKeys,
    stackReferences: JSON.parse(readFileSync(referencesPath, "utf8")) as Record<string, ReferencedStack>,
  });
  const resources = evaluation.resources.map((resource) => ({
    type: resource.type,
    name: resource.name,
    inputs: redact(resource.inputs),
  }));
  writeFileSync(outPath, JSON.stringify({ resources, outputs: redact(evaluation.outputs) }));
}

main().catch(failed);
