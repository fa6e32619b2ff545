// What every npm run tool shares on its command line.
import { parseArgs } from "node:util";

/** `--help`, `-h` or `help` anywhere: print the usage and exit 0, before any other argument is checked. */
export const wantsHelp = (argv: readonly string[]): boolean =>
  argv.includes("--help") || argv.includes("-h") || argv[0] === "help";

type OptionSpec = Record<string, { type: "string" | "boolean" }>;

/**
 * Options of a tool without positional arguments: `--help` prints `help` and exits 0; an unknown option,
 * a missing value or a stray argument prints the problem and the usage and exits 2.
 */
export function parseOptions<T extends OptionSpec>(
  argv: readonly string[],
  help: string,
  options: T,
): Partial<Record<keyof T, string | boolean>> {
  if (wantsHelp(argv)) {
    console.log(help);
    process.exit(0);
  }
  try {
    const { values }: { values: Partial<Record<keyof T, string | boolean>> } = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${help.split("\n")[0] ?? ""}`);
    process.exit(2);
  }
}

/** A string option's value, or `fallback` when it was not given. */
export function stringOption(
  values: Partial<Record<string, string | boolean>>,
  name: string,
  fallback: string,
): string {
  const value = values[name];
  return typeof value === "string" ? value : fallback;
}

/** A bad option value: say what is wrong and exit 2, as an unknown option does. */
export function refuse(message: string): never {
  console.error(message);
  process.exit(2);
}
