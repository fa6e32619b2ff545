// hadb: highly available databases on Kubernetes without database mirroring.
// Thin entry point: validate the stack config (before any resource exists), read the DR primary when
// this stack is a standby (a mismatched pair fails here too), then build the pipeline.
// Stack outputs are documented in docs/outputs.md.
import * as pulumi from "@pulumi/pulumi";
import { configFromMap } from "./components/config/load";
import { readPrimarySite } from "./components/protection/dr/reference";
import { buildHadb, stackOutputs } from "./components/stack";

const config = configFromMap(pulumi.runtime.allConfig());

export = readPrimarySite(config).then((primary) => stackOutputs(buildHadb(config, primary)));
