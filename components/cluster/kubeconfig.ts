// Kubeconfigs whose user runs the cloud's token helper (exec credential plugin): no long-lived token
// is written into the stack, and access follows the caller's cloud identity.
import { stringify } from "yaml";

export interface ExecCredential {
  command: string;
  args: string[];
  /** Shown by kubectl when the command is missing. */
  installHint: string;
  /** GKE's plugin reads the server from the kubeconfig's cluster entry. */
  provideClusterInfo?: boolean;
  env?: Record<string, string>;
}

export interface ExecKubeconfigArgs {
  name: string;
  server: string;
  /** Base64 PEM, as the clouds return it. */
  certificateAuthorityData: string;
  credential: ExecCredential;
}

export function execKubeconfig(args: ExecKubeconfigArgs): string {
  const { credential } = args;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: args.name,
        cluster: { server: args.server, "certificate-authority-data": args.certificateAuthorityData },
      },
    ],
    contexts: [{ name: args.name, context: { cluster: args.name, user: args.name } }],
    "current-context": args.name,
    users: [
      {
        name: args.name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: credential.command,
            args: credential.args,
            ...(credential.env
              ? { env: Object.entries(credential.env).map(([name, value]) => ({ name, value })) }
              : {}),
            installHint: credential.installHint,
            provideClusterInfo: credential.provideClusterInfo ?? false,
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}
