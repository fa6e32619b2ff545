#!/usr/bin/env bash
# Installs hadb's fence agent beside the iSCSI target (the lab's target VM, Ubuntu 24.04, as root; the
# lab's fence-agent-up.sh feeds it over `vagrant ssh`) and (re)starts it as the systemd service
# hadb-fence-agent. Idempotent: unchanged files are left alone, the service restarts only on a change.
# The real-node tier runs it with HADB_FENCE_ROOT (a directory standing in for /) and HADB_FENCE_START=0
# (no apt-get, no systemd), then starts the agent from the files it laid out.
#
# Environment (base64 for files, so any content travels through one variable):
#   HADB_FENCE_PLAN_JS_B64, HADB_FENCE_KUBE_JS_B64, HADB_FENCE_AGENT_JS_B64   the agent (fence-agent/*.ts
#                              transpiled by fence-agent/files.ts)
#   HADB_FENCE_SCRIPT_B64      iscsi-fence.sh
#   HADB_FENCE_CONFIG_B64      agent.json (API server, initiators, detection time, namespaces)
#   HADB_FENCE_ENV_B64         the environment iscsi-fence.sh needs (target IQN, wanted ACL)
#   HADB_FENCE_CA_B64          the cluster's CA certificate
#   HADB_FENCE_TOKEN           secret: the agent's ServiceAccount token (never printed; stored 0600)
#   HADB_FENCE_ROOT            default "" (the real root)
#   HADB_FENCE_START           1 (default): install nodejs if missing, enable and (re)start the service
set +x # never trace: the token is in a variable
set -euo pipefail
umask 077

readonly PROG="fence-agent/install.sh"
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}
ROOT="${HADB_FENCE_ROOT:-}"
START="${HADB_FENCE_START:-1}"
[[ $START == 0 || $START == 1 ]] || die "HADB_FENCE_START must be 0 or 1"
[[ -z $ROOT || $ROOT =~ ^/[A-Za-z0-9._/-]+$ ]] || die "HADB_FENCE_ROOT must be an absolute path of [A-Za-z0-9._/-]"
missing=()
for name in PLAN_JS KUBE_JS AGENT_JS SCRIPT CONFIG ENV CA; do
  var="HADB_FENCE_${name}_B64"
  [[ -n ${!var:-} ]] || missing+=("$var")
done
[[ -n ${HADB_FENCE_TOKEN:-} ]] || missing+=(HADB_FENCE_TOKEN)
((${#missing[@]} == 0)) || die "missing ${missing[*]}"
[[ $HADB_FENCE_TOKEN =~ ^[A-Za-z0-9._-]+$ ]] || die "HADB_FENCE_TOKEN is not a ServiceAccount token (JWT characters only)"
[[ "$(id -u)" -eq 0 ]] || die "must run as root"

LIB="$ROOT/usr/local/lib/hadb"
ETC="$ROOT/etc/hadb/fence-agent"
UNIT="$ROOT/etc/systemd/system/hadb-fence-agent.service"
changed=0

# Writes stdin to a file (mode $2) when its content differs, atomically.
put() {
  local file=$1 mode=$2 tmp
  mkdir -p "$(dirname "$file")"
  tmp="$(mktemp "$(dirname "$file")/.hadb-install.XXXXXX")"
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [[ -f $file ]] && cmp -s "$tmp" "$file" && [[ "$(stat -c %a "$file")" == "${mode#0}" ]]; then
    rm -f "$tmp"
    return
  fi
  mv -f "$tmp" "$file"
  changed=1
  printf '%s: wrote %s\n' "$PROG" "${file#"$ROOT"}"
}
from_b64() { base64 -d <<<"${!1}"; }

put "$LIB/fence-agent/plan.js" 0644 < <(from_b64 HADB_FENCE_PLAN_JS_B64)
put "$LIB/fence-agent/kube.js" 0644 < <(from_b64 HADB_FENCE_KUBE_JS_B64)
put "$LIB/fence-agent/agent.js" 0644 < <(from_b64 HADB_FENCE_AGENT_JS_B64)
put "$LIB/iscsi-fence.sh" 0755 < <(from_b64 HADB_FENCE_SCRIPT_B64)
# Under a stand-in root, the config's absolute paths point into it.
put "$ETC/agent.json" 0644 < <(
  from_b64 HADB_FENCE_CONFIG_B64 |
    sed -e "s#\"/etc/hadb/#\"$ROOT/etc/hadb/#g" -e "s#\"/usr/local/lib/hadb/#\"$ROOT/usr/local/lib/hadb/#g"
)
put "$ETC/env" 0644 < <(from_b64 HADB_FENCE_ENV_B64)
put "$ETC/ca.crt" 0644 < <(from_b64 HADB_FENCE_CA_B64)
put "$ETC/token" 0600 <<<"$HADB_FENCE_TOKEN"
put "$UNIT" 0644 <<UNIT
# Written by hadb (components/storage/iscsi/fence-agent/install.sh). docs/fencing.md
[Unit]
Description=hadb fence agent: fences lost nodes at this iSCSI target, then taints them out-of-service
After=network-online.target tgt.service
Wants=network-online.target

[Service]
EnvironmentFile=/etc/hadb/fence-agent/env
ExecStart=/usr/bin/node /usr/local/lib/hadb/fence-agent/agent.js --config /etc/hadb/fence-agent/agent.json
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
UNIT

if ((START == 0)); then
  printf '%s: installed under %s (not started)\n' "$PROG" "${ROOT:-/}"
  exit 0
fi
# Ubuntu 24.04 ships Node.js 18, which the agent is written for.
if ! command -v node >/dev/null; then
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs >/dev/null
  changed=1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
((major >= 18)) || die "node $(node --version) is too old for the agent (18 or later)"
systemctl daemon-reload
systemctl enable --quiet hadb-fence-agent.service
if ((changed)) || ! systemctl is-active --quiet hadb-fence-agent.service; then
  systemctl restart hadb-fence-agent.service
fi
for ((try = 0; try < 10; try++)); do
  systemctl is-active --quiet hadb-fence-agent.service && break
  sleep 1
done
systemctl is-active --quiet hadb-fence-agent.service ||
  die "hadb-fence-agent did not start (journalctl -u hadb-fence-agent)"
printf '%s: hadb-fence-agent running\n' "$PROG"
