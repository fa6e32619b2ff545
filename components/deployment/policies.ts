// Stack-wide deployment policies, applied to every resource the program registers (a stack
// transformation, so each layer keeps building its resources unaware of them): charts from the
// configured mirror, data-bearing resources kept on destroy.
import * as pulumi from "@pulumi/pulumi";
import type { DeploymentSettings } from "../config/types";
import { mirroredChart, type ReleaseChartSource } from "./chart-source";
import { holdsData } from "./data-retention";

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** The transformation for one stack's settings (pure: tests call it directly). */
export function deploymentTransformation(settings: DeploymentSettings): pulumi.ResourceTransformation {
  return ({ type, props, opts }) => {
    let newProps = props;
    if (settings.chartRepository !== undefined && type === HELM_RELEASE)
      newProps = { ...props, ...mirroredChart(props as ReleaseChartSource, settings.chartRepository) };
    const retain = settings.keepDataOnDestroy && holdsData(type, newProps);
    if (newProps === props && !retain) return undefined;
    return { props: newProps, opts: retain ? pulumi.mergeOptions(opts, { retainOnDelete: true }) : opts };
  };
}

/** Registers the policies for every resource created after this call. */
export function registerDeploymentPolicies(settings: DeploymentSettings): void {
  pulumi.runtime.registerStackTransformation(deploymentTransformation(settings));
}
