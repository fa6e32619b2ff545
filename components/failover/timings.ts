// Control-plane timings that decide how fast Kubernetes notices a lost node. Managed clusters fix them;
// a self-managed (Vagrant/kubeadm) control plane takes them from hadb's failover config.

export interface ControllerTimings {
  /** kube-controller-manager --node-monitor-grace-period: silence before a node is marked NotReady/Unknown. */
  nodeMonitorGracePeriodSeconds: number;
  /** kubelet nodeStatusUpdateFrequency: how often a node reports (must be well below the grace period). */
  nodeStatusUpdateFrequencySeconds: number;
  /** kube-controller-manager --node-monitor-period: how often nodes are checked (adds up to this to detection). */
  nodeMonitorPeriodSeconds: number;
}

/**
 * AKS, EKS and GKE do not expose the controller flags; since Kubernetes 1.32 the upstream default grace
 * period is 50 s (40 s before), so 50 s is the worst case hadb plans with.
 */
export const MANAGED_CONTROLLER_TIMINGS: ControllerTimings = {
  nodeMonitorGracePeriodSeconds: 50,
  nodeStatusUpdateFrequencySeconds: 10,
  nodeMonitorPeriodSeconds: 5,
};

/**
 * Default for control planes hadb configures itself (Vagrant lab): a node silent for 16 s (4 missed
 * 4 s heartbeats) is marked failed. Shorter detects faster but risks false failovers on a busy laptop.
 */
export const SELF_MANAGED_CONTROLLER_TIMINGS: ControllerTimings = {
  nodeMonitorGracePeriodSeconds: 16,
  nodeStatusUpdateFrequencySeconds: 4,
  // Checking every second costs the controller almost nothing on a 3-node lab and saves up to 4 s.
  nodeMonitorPeriodSeconds: 1,
};

/** What the DefaultTolerationSeconds admission plugin gives pods without their own tolerations. */
export const KUBERNETES_DEFAULT_TOLERATION_SECONDS = 300;
