// hadb: highly available databases on Kubernetes without database mirroring.
// Thin entry point: validate the stack config (before any resource exists), then build the pipeline.
// Stack outputs are documented in README ("Outputs").
import * as pulumi from "@pulumi/pulumi";
import { configFromMap } from "./components/config/load";
import { buildHadb, stackOutputs } from "./components/stack";

export = stackOutputs(buildHadb(configFromMap(pulumi.runtime.allConfig())));
