// Where the tiers' built test binaries live (control plane, restic, ...): a cache outside the clone,
// shared by every checkout and kept between CI runs. Each build script stamps what it built with its
// versions, so a version bump rebuilds. Override with HADB_TOOLS_BIN.
import { homedir } from "node:os";
import { join } from "node:path";

export const TOOLS_BIN =
  process.env.HADB_TOOLS_BIN ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "hadb", "bin");
