// Runs the real hadb program (index.ts) under Pulumi's mock runtime: no engine, no credentials, no
// network. Records every resource registration as the engine would receive it (type, name, parent,
// dependencies, provider, inputs with secrets still marked). One evaluation per process: the Pulumi
// runtime is global state.

import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { placeholderKubeconfig, referencedStack } from "./stackfile";

/** What one registered resource looks like to a reviewer. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parentUrn: string;
  dependencyUrns: string[];
  providerRef: string;
  /** Inputs as sent to the engine; secret values are SecretValue wrappers. */
  inputs: Record<string, unknown>;
}

export interface Evaluation {
  resources: RecordedResource[];
  /** Stack outputs; secret ones as SecretValue wrappers. */
  outputs: Record<string, unknown>;
  evaluationMs: number;
}

/** Marker for a value Pulumi treats as secret (kept so writers can redact and tests can assert). */
export class SecretValue {
  constructor(readonly value: unknown) {}
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces Pulumi's wire-format secret wrappers with SecretValue (recursively). */
function markSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(markSecrets);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return new SecretValue(markSecrets(record.value));
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, markSecrets(v)]));
  }
  return value;
}

/** Values the mock "cloud" returns for outputs that only exist after a real deployment. */
export const UNKNOWN_PREFIX = "<unknown until deploy:";
const placeholder = (what: string) => `${UNKNOWN_PREFIX} ${what}>`;

/** Mock passwords carry this marker so tests can prove they never appear in plain text anywhere. */
export const MOCK_SECRET_MARKER = "MOCKSECRET";

// Derived from the name, not random: values computed from secrets (e.g. the credentials-revision
// annotation, a one-way hash) must come out the same in every synth run.
const mockSecret = (name: string): string =>
  `${MOCK_SECRET_MARKER}-${name}-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;

/**
 * Outputs the clouds compute (not echoed from inputs) that the program reads. Values are placeholders;
 * credentials carry MOCK_SECRET_MARKER so tests can prove they never appear in plain text.
 */
const DEPLOY_TIME_OUTPUTS: Record<
  string,
  (name: string, inputs: Record<string, unknown>) => Record<string, unknown>
> = {
  // The token controller fills in a service-account token Secret (the provider waits for it).
  "kubernetes:core/v1:Secret": (name, inputs) =>
    inputs.type === "kubernetes.io/service-account-token"
      ? { data: { token: Buffer.from(mockSecret(name)).toString("base64") } }
      : {},
  // The cloud gives a LoadBalancer Service its address (the provider waits for one).
  "kubernetes:core/v1:Service": (name, inputs) =>
    (inputs.spec as { type?: string } | undefined)?.type === "LoadBalancer"
      ? { status: { loadBalancer: { ingress: [{ ip: placeholder(`load balancer address of ${name}`) }] } } }
      : {},
  "random:index/randomPassword:RandomPassword": (name) => ({ result: mockSecret(name) }),
  "random:index/randomBytes:RandomBytes": (name) => {
    const bytes = Buffer.from(mockSecret(name));
    return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
  },
  "command:local:Command": (name) => ({ stdout: placeholder(`stdout of ${name}`), stderr: "" }),
  "aws:eks/cluster:Cluster": (name) => ({
    endpoint: `https://${name}.eks.example`,
    certificateAuthority: { data: placeholder(`CA of ${name}`) },
    arn: placeholder(`arn of ${name}`),
  }),
  "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1 }),
  "aws:iam/role:Role": (name) => ({ arn: `arn:aws:iam::123456789012:role/${name}`, name }),
  "aws:iam/user:User": (name) => ({ name }),
  "aws:iam/accessKey:AccessKey": (name) => ({ secret: mockSecret(name) }),
  "aws:s3/bucket:Bucket": (name) => ({ bucket: `${name}-bucket`, arn: `arn:aws:s3:::${name}-bucket` }),
  "gcp:container/cluster:Cluster": (name) => ({
    name,
    endpoint: "203.0.113.10",
    masterAuth: { clusterCaCertificate: placeholder(`CA of ${name}`) },
  }),
  "gcp:serviceaccount/account:Account": (name) => ({ email: `${name}@project.iam.gserviceaccount.com` }),
  "gcp:storage/bucket:Bucket": (name) => ({ name: `${name}-bucket` }),
  "gcp:storage/hmacKey:HmacKey": (name) => ({
    accessId: placeholder(`access id of ${name}`),
    secret: mockSecret(name),
  }),
  "azure-native:containerservice:ManagedCluster": (name) => ({
    name,
    identity: { type: "SystemAssigned", principalId: placeholder(`principal of ${name}`) },
  }),
  "azure-native:resources:ResourceGroup": (name) => ({
    name,
    id: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${name}`,
  }),
  "azure-native:storage:StorageAccount": (name) => ({ name }),
  "azure-native:storage:BlobContainer": (name) => ({ name }),
};

/** Provider functions the program calls, answered with placeholders of the real response shape. */
const FUNCTION_RESULTS: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {
  "azure-native:containerservice:listManagedClusterUserCredentials": (inputs) => ({
    kubeconfigs: [
      {
        name: "clusterUser",
        value: Buffer.from(placeholderKubeconfig(String(inputs.resourceName))).toString("base64"),
      },
    ],
  }),
  "azure-native:storage:listStorageAccountKeys": (inputs) => ({
    keys: [{ keyName: "key1", permissions: "Full", value: mockSecret(String(inputs.accountName)) }],
  }),
};

/** Outputs of a referenced stack, as `npm run synth` of its stack file exported them. */
export interface ReferencedStack {
  outputs: Record<string, unknown>;
  secretOutputNames: string[];
}

class RecordingMocks implements pulumi.runtime.Mocks {
  constructor(private readonly stackReferences: Record<string, ReferencedStack>) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
    if (args.type === "pulumi:pulumi:StackReference") return this.stackReference(args);
    // Secret outputs (passwords, keys) must be marked secret by the program itself: mocks do not
    // apply the providers' additionalSecretOutputs, so a missing pulumi.secret shows up in tests.
    const computed =
      DEPLOY_TIME_OUTPUTS[args.type]?.(args.name, args.inputs as Record<string, unknown>) ?? {};
    const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>), ...computed };
    const id = typeof computed.id === "string" ? computed.id : placeholder(`id of ${args.name}`);
    return { id, state };
  }

  /** A StackReference reads another stack: answered from that stack's offline evaluation. */
  private stackReference(args: pulumi.runtime.MockResourceArgs): {
    id: string;
    state: Record<string, unknown>;
  } {
    const requested = (args.inputs as { name?: unknown }).name;
    const name = typeof requested === "string" ? requested : args.name;
    const referenced = this.stackReferences[name];
    if (!referenced)
      throw new Error(
        `hadb's offline evaluation cannot read stack ${name}: give a stack file for it (stacks/${referencedStack(name)}.yaml)`,
      );
    return { id: name, state: { name, ...referenced } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const result = FUNCTION_RESULTS[args.token];
    if (!result) throw new Error(`hadb's offline evaluation has no mock for provider function ${args.token}`);
    return result(args.inputs as Record<string, unknown>);
  }
}

interface RequestCommon {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
}

interface RegisterResourceRequest extends RequestCommon {
  getCustom(): boolean;
  getObject(): unknown;
}

type Callback = (error: Error | null, response?: { getUrn(): string }) => void;
interface ReadResourceRequest extends RequestCommon {
  getProperties(): unknown;
}

interface MockMonitor {
  registerResource(request: RegisterResourceRequest, callback: Callback): Promise<void>;
  readResource(request: ReadResourceRequest, callback: Callback): Promise<void>;
}

// Internal SDK modules: no public API exposes parents/dependencies under mocks (pulumi/pulumi#14421).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
  getMonitor(): MockMonitor;
  waitForRPCs(): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
  deserializeProperties(struct: unknown): Record<string, unknown>;
};

async function resolveOutput(value: unknown): Promise<unknown> {
  if (!pulumi.Output.isInstance(value)) return value;
  const plain = await new Promise<unknown>((resolve) => {
    value.apply((v) => {
      resolve(v);
    });
  });
  return (await pulumi.isSecret(value)) ? new SecretValue(plain) : plain;
}

export interface EvaluateOptions {
  projectRoot: string;
  stack: string;
  /** Pulumi config map as the CLI would pass it (`hadb:key` -> string). */
  config: Record<string, string>;
  secretKeys: string[];
  /** Stacks the program reads by StackReference, by the name it uses. */
  stackReferences?: Record<string, ReferencedStack>;
  /** The Pulumi project's name (`new pulumi.Config()` reads its namespace); hadb by default. */
  project?: string;
}

/** The program failed; `registered` counts hadb's resources registered before the failure. */
export class EvaluationError extends Error {
  constructor(
    readonly error: unknown,
    readonly registered: number,
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
    this.name = "EvaluationError";
  }
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export async function evaluateProgram(options: EvaluateOptions): Promise<Evaluation> {
  // Without an engine, pulumi.log writes with console.log: keep stdout for the synth's own output
  // (`--json` promises a single JSON document there) and send the program's log lines to stderr.
  console.log = (...args: unknown[]) => {
    console.error(...args);
  };
  pulumi.runtime.setAllConfig(options.config, options.secretKeys);
  await pulumi.runtime.setMocks(
    new RecordingMocks(options.stackReferences ?? {}),
    options.project ?? "hadb",
    options.stack,
    false,
  );

  const resources: RecordedResource[] = [];
  const monitor = settings.getMonitor();
  /** Records a resource as the engine received it, once the mock monitor has accepted it. */
  const recording =
    (request: RequestCommon, custom: boolean, properties: unknown): Callback =>
    (error, response) => {
      if (!error && response)
        resources.push({
          urn: response.getUrn(),
          type: request.getType(),
          name: request.getName(),
          custom,
          parentUrn: request.getParent(),
          dependencyUrns: request.getDependenciesList(),
          providerRef: request.getProvider(),
          inputs: markSecrets(rpc.deserializeProperties(properties)) as Record<string, unknown>,
        });
    };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    register(request, (error, response) => {
      recording(request, request.getCustom(), request.getObject())(error, response);
      callback(error, response);
    });
  // Reads (a StackReference) are resources of the stack too, recorded like registrations.
  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (request, callback) =>
    read(request, (error, response) => {
      recording(request, true, request.getProperties())(error, response);
      callback(error, response);
    });

  const started = performance.now();
  let exported: Record<string, unknown> = {};
  try {
    await pulumi.runtime.runInPulumiStack(() => {
      // The program exports a promise of its outputs (a DR standby reads its primary first).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const program = require(join(options.projectRoot, "index.ts")) as
        Promise<Record<string, unknown>> | Record<string, unknown>;
      return Promise.resolve(program).then((outputs) => {
        exported = outputs;
        return outputs;
      });
    });
    await settings.waitForRPCs();
  } catch (error) {
    throw new EvaluationError(
      error,
      resources.filter((resource) => resource.type !== ROOT_STACK_TYPE).length,
    );
  }
  const evaluationMs = performance.now() - started;

  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exported)) {
    outputs[name] = await resolveOutput(value);
  }
  return { resources, outputs, evaluationMs };
}
