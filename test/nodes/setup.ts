// One call from nothing to "MySQL (stand-in) Ready on the real-node lab", shared by the tier's tests and
// its benchmark: render the stack, start the lab, apply the objects with the given settings.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ControllerTimings } from "../../components/failover/timings";
import { renderStack, type StackRender } from "./database";
import { databaseUnderTest, deploy, generatedCredentials, labObjects, type Credentials } from "./deploy";
import type { DatabaseUnderTest, SettingsName } from "./failover";
import { startRealLab, type RealLab } from "./lab";

export interface DatabaseLab {
  lab: RealLab;
  render: StackRender;
  credentials: Credentials;
  database: DatabaseUnderTest;
  /** Seconds: lab start (control plane, target, VMs Ready) and database rollout. */
  times: { lab: number; deploy: number };
  /** Re-applies the database with other pod settings (a rollout: Recreate replaces the pod). */
  applySettings(settings: SettingsName): Promise<void>;
}

/** The MariaDB stand-in's reference, as the image build recorded it. */
export function standInImage(imageDir: string): string {
  const images = readFileSync(join(imageDir, "images.txt"), "utf8");
  const ref = /^mariadb (\S+)$/m.exec(images)?.[1];
  if (!ref) throw new Error(`${imageDir}/images.txt lists no MariaDB stand-in`);
  return ref;
}

export async function startDatabaseLab(options: {
  imageDir: string;
  timings: ControllerTimings;
  onProgress?: (message: string) => void;
}): Promise<DatabaseLab> {
  const started = performance.now();
  const render = renderStack(standInImage(options.imageDir));
  const credentials = generatedCredentials();
  const lab = await startRealLab({
    imageDir: options.imageDir,
    timings: options.timings,
    target: render.target,
    chap: credentials.chap,
    onProgress: options.onProgress,
  });
  const labSeconds = (performance.now() - started) / 1000;
  try {
    await deploy(lab, labObjects(render, credentials, "hadb"), { onProgress: options.onProgress });
  } catch (error) {
    await lab.stop();
    throw error;
  }
  return {
    lab,
    render,
    credentials,
    database: databaseUnderTest(render, credentials),
    times: {
      lab: Math.round(labSeconds),
      deploy: Math.round((performance.now() - started) / 1000 - labSeconds),
    },
    applySettings: (settings) =>
      deploy(lab, labObjects(render, credentials, settings), { onProgress: options.onProgress }),
  };
}
