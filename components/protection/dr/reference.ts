// The standby's view of its primary: one StackReference, read before anything else is built so a
// mismatched pair fails with config errors instead of half a deployment.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config/problems";
import type { HadbConfig } from "../../config/types";
import { pairingProblems } from "./pairing";
import type { PrimaryDisasterRecovery, PrimaryDisasterRecoverySecrets } from "./primary";

/** What a standby builds from. */
export interface PrimarySite {
  stack: string;
  info: PrimaryDisasterRecovery;
  /** The primary cluster's kubeconfig (secret). PX-DR pairs both clusters with it. */
  kubeconfig: pulumi.Output<string>;
  secrets: pulumi.Output<PrimaryDisasterRecoverySecrets>;
}

/** Reads and checks the primary; throws ConfigError when the pair does not fit. */
export async function readPrimarySite(config: HadbConfig): Promise<PrimarySite | undefined> {
  const dr = config.disasterRecovery;
  if (dr?.role !== "standby") return undefined;
  const reference = new pulumi.StackReference("disaster-recovery-primary", { name: dr.primaryStack });
  const details = await reference.getOutputDetails("disasterRecovery");
  const problems = pairingProblems(config, dr.primaryStack, details.value);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    stack: dr.primaryStack,
    info: details.value as PrimaryDisasterRecovery,
    kubeconfig: pulumi.secret(reference.requireOutput("kubeconfig") as pulumi.Output<string>),
    secrets: pulumi.secret(
      reference.requireOutput("disasterRecoverySecrets") as pulumi.Output<PrimaryDisasterRecoverySecrets>,
    ),
  };
}
