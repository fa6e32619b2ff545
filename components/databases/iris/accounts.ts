// The IRIS application account. The predefined accounts (_SYSTEM, SuperUser, …) get the admin password
// from `--password-file` at every start (SYS.Container.ChangePassword), but InterSystems configures them
// to require a password change at first login ("Authentication and Passwords", Running InterSystems
// Products in Containers), so clients cannot log in with them unattended. hadb therefore creates:
// - with configuration merge [Actions] (idempotent, applied at every start): a database and namespace
//   of the application's own, a resource guarding it and a role holding only that resource;
// - after IRIS has started (iris-main --after, apply-accounts.sh): the application user with that role,
//   the password from the mounted Secret and no pending password change, and the role's SQL DDL
//   privileges in the namespace. It also clears the pending change on _SYSTEM, the admin account hadb
//   exports, whose password the Secret keeps re-applying anyway.
// Nothing here is run by the tests against IRIS (no IRIS here); apply-accounts.sh is, with a stand-in.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { IrisSettings } from "../../config/types";

/** The role holding the application's database resource (one application per instance). */
export const IRIS_APP_ROLE = "hadb_app";
/** The admin account hadb exports (a predefined account with %All). */
export const IRIS_ADMIN_USERNAME = "_SYSTEM";
/** What the accounts script prints on success, split in the script so an echoed command never matches. */
export const ACCOUNTS_APPLIED = "hadb: IRIS accounts applied";

/** The application database's directory under durable %SYS (`ISC_DATA_DIRECTORY`). */
export const appDatabaseDirectory = (dataDirectory: string, settings: IrisSettings): string =>
  `${dataDirectory}/mgr/${settings.namespace.toLowerCase()}/`;

/** `[Actions]` of the CPF merge file: the application's database, namespace, resource and role. */
export function irisAccountActions(settings: IrisSettings, dataDirectory: string): string[] {
  const namespace = settings.namespace;
  const resource = `%DB_${namespace}`;
  return [
    "[Actions]",
    `CreateResource:Name=${resource},PublicPermission=""`,
    `CreateDatabase:Name=${namespace},Directory=${appDatabaseDirectory(dataDirectory, settings)},Resource=${resource}`,
    `CreateNamespace:Name=${namespace},Globals=${namespace},Routines=${namespace}`,
    // Read/write on its own database only; %Service_Bindings:U lets it connect over xDBC/DB-API.
    `CreateRole:Name=${IRIS_APP_ROLE},Resources="${resource}:RW,%Service_Bindings:U"`,
  ];
}

const check = (what: string) => `if 'sc { set ok=0 write "${what}: ",$system.Status.GetErrorText(sc),! }`;

/**
 * ObjectScript for `iris session IRIS -U %SYS` (one command line per line). Reads the application
 * password from `passwordFile` inside IRIS, so it never appears on a command line or in the output.
 */
export function irisAccountsScript(settings: IrisSettings, passwordFile: string): string {
  const { user, namespace } = settings;
  const [applied, suffix] = [ACCOUNTS_APPLIED.slice(0, -7), ACCOUNTS_APPLIED.slice(-7)];
  return [
    'set $namespace="%SYS",ok=1',
    `set file=##class(%Stream.FileCharacter).%New(),sc=file.LinkToFile("${passwordFile}") ${check("password file")}`,
    'set password=$zstrip(file.ReadLine(),">WC") kill file if password="" { set ok=0 write "password file: empty",! }',
    `set props("Password")=password,props("Roles")="${IRIS_APP_ROLE}",props("NameSpace")="${namespace}",props("ChangePassword")=0,props("Enabled")=1`,
    `if ##class(Security.Users).Exists("${user}") { set sc=##class(Security.Users).Modify("${user}",.props) } else { set sc=##class(Security.Users).Create("${user}","${IRIS_APP_ROLE}",password,"hadb application user","${namespace}","","",0,1) }`,
    `${check(`user ${user}`)} kill password,props`,
    `set admin("ChangePassword")=0,sc=##class(Security.Users).Modify("${IRIS_ADMIN_USERNAME}",.admin) ${check(IRIS_ADMIN_USERNAME)}`,
    // As InterSystems' own image build does for its accounts: no expired password blocks a login.
    `set sc=##class(Security.Users).UnExpireUserPasswords("${user},${IRIS_ADMIN_USERNAME}") ${check("unexpire")}`,
    // Tables the user creates are its own; %DB_OBJECT_DEFINITION is the DDL (create/alter/drop) set.
    `set $namespace="${namespace}",result=##class(%SQL.Statement).%ExecDirect(,"GRANT %DB_OBJECT_DEFINITION TO ${IRIS_APP_ROLE}") if result.%SQLCODE<0 { set ok=0 write "GRANT: ",result.%Message,! }`,
    `if ok { write "${applied}"_"${suffix}",! }`,
    "halt",
    "",
  ].join("\n");
}

/** The shell wrapper iris-main runs after start (apply-accounts.sh, shellchecked and run by the tests). */
export const IRIS_APPLY_ACCOUNTS_SCRIPT = readFileSync(join(__dirname, "apply-accounts.sh"), "utf8");

/**
 * The warning for community images: their built-in licence expires (about 13 months after the release,
 * see catalog.ts) and an expired image no longer starts.
 */
export function irisLicenceWarning(image: string, defaultVersion: string): string | undefined {
  if (!/\/iris-community[:@]/.test(image) && !image.startsWith("iris-community")) return undefined;
  return (
    `${image} is an InterSystems community image: its built-in licence expires about 13 months after ` +
    `the release, and an expired image no longer starts. Upgrade by setting the entry's version to a ` +
    `newer release (hadb's default is ${defaultVersion}) and running pulumi up: IRIS upgrades durable %SYS ` +
    "in place on its first start (take a backup first). See docs/databases.md."
  );
}
