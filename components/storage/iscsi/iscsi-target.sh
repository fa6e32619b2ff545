#!/usr/bin/env bash
# hadb iSCSI target provisioning, for the user-space target daemon tgt (tgtd/tgtadm/tgt-admin).
#
# Runs as root on the lab's iSCSI target VM (Ubuntu 24.04, systemd; installs tgt when missing) and, for
# real, in tests/iscsi-target.test.ts against a private tgtd on loopback. tgt rather than LIO/targetcli:
# LIO needs the kernel's configfs, which the test machine lacks, and one script must serve both.
#
# It creates one target with one LUN per database, CHAP on every login (session and discovery, optional
# mutual CHAP) and an initiator ACL, then writes the same state to a tgt config file so that it survives
# tgt restarts and reboots (tgt.service runs `tgt-admin -e -c /etc/tgt/targets.conf`, which includes
# /etc/tgt/conf.d/*.conf). Idempotent: a re-run with the same inputs changes nothing and says
# "no changes"; changed credentials, ACLs and grown sizes are applied in place. It never deletes a LUN or
# shrinks a backing file: that is the database's data.
#
# Environment (all values are validated first; every problem is reported, then the script exits 2):
#   HADB_TARGET_IQN            required. Target name, iqn.YYYY-MM.reversed.domain[:suffix], lower case,
#                              suffix of [a-z0-9.:-] (the name is written into a config file and argv).
#   HADB_LUN_SIZES             required. One size per LUN, space separated, e.g. "10G 20G". Units are
#                              binary like truncate(1): M/Mi = MiB, G/Gi = GiB, T/Ti = TiB; 1M..16T.
#                              LUN NUMBERING: the i-th size is LUN i, starting at 1. tgt reserves LUN 0
#                              for its controller device, so a Kubernetes PV uses `lun: i` (1-based), as
#                              components/config/iscsi.ts (VAGRANT_FIRST_LUN) assumes.
#   HADB_PORTAL                address:port tgtd listens on (IPv4). Default 0.0.0.0:3260.
#   HADB_BACKING_DIR           where the LUN files lun-<i>.img live (sparse: truncate). Default
#                              /var/lib/hadb/iscsi; on the lab VM a data disk is mounted there.
#   HADB_CHAP_USER             required. Session CHAP (initiator -> target, tgt `incominguser`).
#   HADB_CHAP_PASSWORD         required, 12..255 characters of [A-Za-z0-9._-] (RFC 3720 wants >= 12
#                              bytes; the character set is what tgt-admin survives at boot: it runs each
#                              tgtadm line through /bin/sh and cuts it at '#').
#   HADB_CHAP_MUTUAL_USER      optional, with HADB_CHAP_MUTUAL_PASSWORD: mutual CHAP (target -> initiator,
#   HADB_CHAP_MUTUAL_PASSWORD  tgt `outgoinguser`), for sessions and discovery. RFC 3720 8.2.1: the
#                              target's secret must differ from every initiator secret. The initiator
#                              decides whether to check the target (Kubernetes: the *_in keys of the
#                              CHAP Secret); tgt answers when asked and cannot insist.
#   HADB_CHAP_DISCOVERY_USER   optional, with HADB_CHAP_DISCOVERY_PASSWORD: discovery (SendTargets)
#   HADB_CHAP_DISCOVERY_PASSWORD  CHAP. Default: the session credentials. tgt enforces it: an incoming
#                              account bound without a target id (tgt-admin `incomingdiscoveryuser`)
#                              makes every discovery session of this tgtd require CHAP. Discovery
#                              accounts are global in tgt, so this script owns them on this tgtd.
#   HADB_INITIATOR_CIDRS       required. Initiator addresses or IPv4 CIDRs allowed to log in and to see
#                              the target in discovery, space separated (e.g. the lab's private network).
#                              0.0.0.0/0 and ALL are refused: CHAP is not a reason to face the world.
#                              Initiator names are not an option: tgt >= 1.0.83 admits an initiator
#                              whose address OR name is listed, so an `initiator-name` entry would let
#                              that (freely chosen) name in from any address. HADB_INITIATOR_NAMES is
#                              therefore refused, and name entries found on the target are removed.
#   HADB_TGT_START             1 (default): install tgt with apt-get if missing, pin the portal in a
#                              systemd drop-in, enable and (re)start tgt.service. 0: a tgtd is already running (the test's
#                              private one); the service is left alone.
#   HADB_TGT_CONTROL_PORT      tgtd management port (`tgtd -C N`, socket /var/run/tgtd/socket.N).
#                              0..32767 (tgtd's limit); default 0, tgtd's default.
#   HADB_TGT_CONF              config file written for restarts. Default /etc/tgt/conf.d/hadb.conf.
#   HADB_FENCE_DIR             fence state of iscsi-fence.sh (default /var/lib/hadb/fence): an initiator
#                              address fenced there stays out of the ACL and the config file, whatever
#                              HADB_INITIATOR_CIDRS says, until iscsi-fence.sh unfences it.
#
# Secrets: never printed (no xtrace, no secret in any message). The config file holds them, so it is
# root-only (0600). tgtadm takes a password only on its command line, so while an account is created it
# is visible in this VM's process table (/proc/<pid>/cmdline) for the milliseconds tgtadm runs, and
# tgt-admin does the same at every tgt start. That exposure is local to the target VM, which runs
# nothing but tgt; the password never leaves it except inside the CHAP exchange (as a digest).
#
# Durability: tgt's default write-back cache honours SCSI SYNCHRONIZE CACHE (fdatasync on the backing
# file), which ext4 on the initiator issues on every database fsync. Backing files are sparse: the data
# disk must hold the sum of the LUN sizes (a warning is printed when it cannot), or writes fail when it
# fills up.
set +x # never trace: the CHAP secrets are in variables and on tgtadm command lines
set -euo pipefail
umask 077

readonly PROG="iscsi-target.sh"
log() { printf '%s: %s\n' "$PROG" "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}

TARGET_IQN="${HADB_TARGET_IQN:-}"
LUN_SIZES="${HADB_LUN_SIZES:-}"
PORTAL="${HADB_PORTAL:-0.0.0.0:3260}"
BACKING_DIR="${HADB_BACKING_DIR:-/var/lib/hadb/iscsi}"
CHAP_USER="${HADB_CHAP_USER:-}"
CHAP_PASSWORD="${HADB_CHAP_PASSWORD:-}"
MUTUAL_USER="${HADB_CHAP_MUTUAL_USER:-}"
MUTUAL_PASSWORD="${HADB_CHAP_MUTUAL_PASSWORD:-}"
DISCOVERY_USER="${HADB_CHAP_DISCOVERY_USER:-}"
DISCOVERY_PASSWORD="${HADB_CHAP_DISCOVERY_PASSWORD:-}"
INITIATOR_CIDRS="${HADB_INITIATOR_CIDRS:-}"
TGT_START="${HADB_TGT_START:-1}"
CONTROL_PORT="${HADB_TGT_CONTROL_PORT:-0}"
CONF="${HADB_TGT_CONF:-/etc/tgt/conf.d/hadb.conf}"
FENCE_DIR="${HADB_FENCE_DIR:-/var/lib/hadb/fence}"

# ---------------------------------------------------------------------------------------------------
# Validation: pure, before anything is touched; all problems at once.
# ---------------------------------------------------------------------------------------------------
# RFC 3720 3.2.6.3 iqn names after stringprep (lower case). The suffix is narrowed to [a-z0-9.:-]
# because the name also goes into tgt's config file and tgt-admin's shell lines.
readonly IQN_RE='^iqn\.[0-9]{4}-(0[1-9]|1[0-2])\.[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[a-z0-9.:-]+)?$'
readonly IPV4_RE='^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$'
readonly USER_RE='^[A-Za-z0-9._:-]{1,255}$'
readonly SECRET_RE='^[A-Za-z0-9._-]{12,255}$'
readonly PATH_RE='^/[A-Za-z0-9._/-]*$'

problems=()
problem() { problems+=("$*"); }

is_ipv4() {
  [[ $1 =~ $IPV4_RE ]] || return 1
  local octet
  for octet in "${BASH_REMATCH[@]:1:4}"; do
    ((10#$octet <= 255)) || return 1
  done
}

# Bytes of a size like 10G (binary units); empty when malformed or out of 1M..16T.
size_bytes() {
  [[ $1 =~ ^([1-9][0-9]{0,7})([MGT])i?$ ]] || return 0
  local n=$((10#${BASH_REMATCH[1]})) unit=${BASH_REMATCH[2]} shift max
  case "$unit" in
    M) shift=20 max=16777216 ;;
    G) shift=30 max=16384 ;;
    T) shift=40 max=16 ;;
  esac
  ((n <= max)) && printf '%s' $((n << shift))
  return 0
}

if [[ -z $TARGET_IQN ]]; then
  problem "HADB_TARGET_IQN is required: the target's name, e.g. iqn.2026-11.io.hadb.lab:databases"
elif ((${#TARGET_IQN} > 223)) || ! [[ $TARGET_IQN =~ $IQN_RE ]]; then
  problem "HADB_TARGET_IQN=\"$TARGET_IQN\" is not an iSCSI qualified name: iqn.YYYY-MM.reversed.domain[:suffix] in lower case, suffix of [a-z0-9.:-], at most 223 characters"
fi

read -r -a SIZES <<<"${LUN_SIZES//$'\n'/ }"
LUN_BYTES=()
if ((${#SIZES[@]} == 0)); then
  problem "HADB_LUN_SIZES is empty: give one size per LUN (database), e.g. \"10G 20G\" for LUNs 1 and 2"
fi
for size in "${SIZES[@]}"; do
  bytes="$(size_bytes "$size")"
  if [[ -z $bytes ]]; then
    problem "HADB_LUN_SIZES entry \"$size\" is not a size: an integer with unit M, G or T (binary, Mi/Gi/Ti also accepted), from 1M to 16T"
  fi
  LUN_BYTES+=("$bytes")
done

portal_ok=0
if [[ $PORTAL =~ ^([0-9.]+):([0-9]{1,5})$ ]]; then
  port=$((10#${BASH_REMATCH[2]})) # saved first: is_ipv4 overwrites BASH_REMATCH
  if is_ipv4 "${BASH_REMATCH[1]}" && ((port >= 1 && port <= 65535)); then portal_ok=1; fi
fi
if ((!portal_ok)); then
  problem "HADB_PORTAL=\"$PORTAL\" must be IPv4address:port, e.g. 0.0.0.0:3260 or 192.168.56.10:3260"
fi

check_path() { # name value
  if ! [[ $2 =~ $PATH_RE ]] || [[ $2 == */ ]]; then
    problem "$1=\"$2\" must be an absolute path of [A-Za-z0-9._/-] without a trailing slash (it is written into tgt's config)"
  fi
}
check_path HADB_BACKING_DIR "$BACKING_DIR"
check_path HADB_TGT_CONF "$CONF"
check_path HADB_FENCE_DIR "$FENCE_DIR"

check_user() { # name value
  if [[ -z $2 ]]; then
    problem "$1 is required"
  elif ! [[ $2 =~ $USER_RE ]]; then
    problem "$1=\"$2\" must be 1..255 characters of [A-Za-z0-9._:-]"
  fi
}
check_secret() { # name value (the value itself is never echoed)
  if [[ -z $2 ]]; then
    problem "$1 is required (a generated secret, never a default)"
  elif ! [[ $2 =~ $SECRET_RE ]]; then
    problem "$1 (${#2} characters, not shown) must be 12..255 characters of [A-Za-z0-9._-]"
  fi
}

check_user HADB_CHAP_USER "$CHAP_USER"
check_secret HADB_CHAP_PASSWORD "$CHAP_PASSWORD"

if [[ -n $MUTUAL_USER || -n $MUTUAL_PASSWORD ]]; then
  check_user HADB_CHAP_MUTUAL_USER "$MUTUAL_USER"
  check_secret HADB_CHAP_MUTUAL_PASSWORD "$MUTUAL_PASSWORD"
fi

if [[ -n $DISCOVERY_USER || -n $DISCOVERY_PASSWORD ]]; then
  check_user HADB_CHAP_DISCOVERY_USER "$DISCOVERY_USER"
  check_secret HADB_CHAP_DISCOVERY_PASSWORD "$DISCOVERY_PASSWORD"
else
  DISCOVERY_USER="$CHAP_USER"
  DISCOVERY_PASSWORD="$CHAP_PASSWORD"
fi

# tgt accounts are global objects keyed by user name, so one name cannot carry two secrets.
if [[ -n $CHAP_USER && $DISCOVERY_USER == "$CHAP_USER" && $DISCOVERY_PASSWORD != "$CHAP_PASSWORD" ]]; then
  problem "HADB_CHAP_DISCOVERY_USER equals HADB_CHAP_USER but the passwords differ: tgt keeps one secret per user name; use another user name or the same password"
fi
if [[ -n $MUTUAL_USER ]]; then
  if [[ $MUTUAL_USER == "$CHAP_USER" || $MUTUAL_USER == "$DISCOVERY_USER" ]]; then
    problem "HADB_CHAP_MUTUAL_USER=\"$MUTUAL_USER\" must differ from the initiator user names (session and discovery)"
  fi
  if [[ -n $MUTUAL_PASSWORD && ($MUTUAL_PASSWORD == "$CHAP_PASSWORD" || $MUTUAL_PASSWORD == "$DISCOVERY_PASSWORD") ]]; then
    problem "HADB_CHAP_MUTUAL_PASSWORD must differ from the initiator secrets (RFC 3720 8.2.1: a secret authenticates either initiators or targets, never both)"
  fi
fi

# tgt's ACL matcher (usr/iscsi/target.c) never matches a /32 and never matches a network written with
# host bits set (192.168.56.10/24): such entries would silently lock everyone out. A /32 is written as
# the bare address; host bits are an input error.
read -r -a CIDR_INPUT <<<"${INITIATOR_CIDRS//$'\n'/ }"
CIDRS=()
if ((${#CIDR_INPUT[@]} == 0)); then
  problem "HADB_INITIATOR_CIDRS is required: the initiators' addresses or network, e.g. 192.168.56.0/24"
fi
for cidr in "${CIDR_INPUT[@]}"; do
  if [[ $cidr == ALL || $cidr =~ /0$ ]]; then
    problem "HADB_INITIATOR_CIDRS entry \"$cidr\" would let any address log in; name the initiators' network"
    continue
  fi
  if ! [[ $cidr =~ ^([0-9.]+)(/([1-9]|[12][0-9]|3[0-2]))?$ ]]; then
    problem "HADB_INITIATOR_CIDRS entry \"$cidr\" must be an IPv4 address or CIDR, e.g. 192.168.56.0/24"
    continue
  fi
  address=${BASH_REMATCH[1]} bits=${BASH_REMATCH[3]:-32}
  if ! is_ipv4 "$address"; then
    problem "HADB_INITIATOR_CIDRS entry \"$cidr\" must be an IPv4 address or CIDR, e.g. 192.168.56.0/24"
    continue
  fi
  IFS=. read -r o1 o2 o3 o4 <<<"$address"
  value=$(((10#$o1 << 24) | (10#$o2 << 16) | (10#$o3 << 8) | 10#$o4))
  if ((bits < 32 && (value & ((1 << (32 - bits)) - 1)) != 0)); then
    net=$((value & ~((1 << (32 - bits)) - 1)))
    problem "HADB_INITIATOR_CIDRS entry \"$cidr\" has host bits set, which tgt never matches: write the network, $(((net >> 24) & 255)).$(((net >> 16) & 255)).$(((net >> 8) & 255)).$((net & 255))/$bits"
    continue
  fi
  if ((bits == 32)); then CIDRS+=("$address"); else CIDRS+=("$address/$bits"); fi
done

if [[ -n ${HADB_INITIATOR_NAMES:-} ]]; then
  problem "HADB_INITIATOR_NAMES is not supported: tgt admits an initiator whose address OR name is listed, so a name would let it in from any address; restrict by HADB_INITIATOR_CIDRS"
fi

[[ $TGT_START == 0 || $TGT_START == 1 ]] ||
  problem "HADB_TGT_START=\"$TGT_START\" must be 1 (manage tgt.service) or 0 (tgtd already running)"
if ! [[ $CONTROL_PORT =~ ^[0-9]{1,5}$ ]] || ((10#$CONTROL_PORT > 32767)); then
  problem "HADB_TGT_CONTROL_PORT=\"$CONTROL_PORT\" must be an integer 0..32767 (tgtd -C)"
elif [[ $TGT_START == 1 && $CONTROL_PORT != 0 ]]; then
  # tgt.service's own ExecStartPost/ExecStop lines call tgtadm on the default port.
  problem "HADB_TGT_CONTROL_PORT=\"$CONTROL_PORT\" needs HADB_TGT_START=0: tgt.service manages the tgtd on port 0"
fi

if ((${#problems[@]} > 0)); then
  for line in "${problems[@]}"; do
    printf '%s: invalid input: %s\n' "$PROG" "$line" >&2
  done
  exit 2
fi
[[ "$(id -u)" -eq 0 ]] || die "must run as root (tgtadm talks to tgtd over a root-only socket)"

LUN_COUNT=${#SIZES[@]}

# Addresses iscsi-fence.sh has fenced (a node that may still write): never let back in from here.
ALLOWED=()
FENCED=()
for entry in "${CIDRS[@]}"; do
  if [[ -f $FENCE_DIR/$entry ]]; then FENCED+=("$entry"); else ALLOWED+=("$entry"); fi
done
CHANGES=0
change() {
  CHANGES=$((CHANGES + 1))
  log "$*"
}

# tgtadm with a label for errors: the label, never the arguments, is printed (they may hold a password).
tgt() {
  local label=$1 out
  shift
  if ! out="$(tgtadm -C "$CONTROL_PORT" --lld iscsi "$@" 2>&1)"; then
    die "tgtadm failed to $label: ${out:-no output}"
  fi
  printf '%s\n' "$out"
}

lun_file() { printf '%s/lun-%s.img' "$BACKING_DIR" "$1"; }

# ---------------------------------------------------------------------------------------------------
# 1. Backing files: sparse, created or grown, never shrunk.
# ---------------------------------------------------------------------------------------------------
mkdir -p "$BACKING_DIR"
chmod 0700 "$BACKING_DIR"
# A LUN file beyond the list is a database's disk that the new list would drop: hadb never removes one.
for file in "$BACKING_DIR"/lun-*.img; do
  [[ -e $file ]] || continue
  n="${file##*/lun-}"
  n="${n%.img}"
  if [[ ! $n =~ ^[0-9]+$ ]] || ((10#$n > LUN_COUNT)); then
    die "$file exists but HADB_LUN_SIZES lists $LUN_COUNT LUN(s); hadb never removes a LUN (a database's data): to drop it, delete the LUN with tgtadm and move the file out of $BACKING_DIR"
  fi
done
total=0
for ((i = 1; i <= LUN_COUNT; i++)); do
  file="$(lun_file "$i")"
  want=${LUN_BYTES[i - 1]}
  total=$((total + want))
  if [[ ! -e $file ]]; then
    truncate -s "$want" "$file"
    change "LUN $i: created sparse backing file $file (${SIZES[i - 1]})"
  elif [[ ! -f $file ]]; then
    die "LUN $i: $file exists and is not a regular file"
  else
    have="$(stat -c %s "$file")"
    if ((have < want)); then
      truncate -s "$want" "$file"
      change "LUN $i: grew $file from $have to $want bytes"
    elif ((have > want)); then
      die "LUN $i: $file is $have bytes, HADB_LUN_SIZES asks for $want: refusing to shrink a database's disk (it would cut its filesystem)"
    fi
  fi
done
avail="$(df --output=avail -B1 "$BACKING_DIR" | tail -n 1 | tr -d ' ')"
used="$(du -s -B1 "$BACKING_DIR" | cut -f1)"
if ((avail + used < total)); then
  warn "$BACKING_DIR has $((avail + used)) bytes for LUNs of $total bytes: the sparse files are overcommitted and writes will fail when the disk fills"
fi

# ---------------------------------------------------------------------------------------------------
# 2. The daemon: installed, listening on the portal, answering on its control port.
# ---------------------------------------------------------------------------------------------------
if [[ $TGT_START == 1 ]]; then
  if ! command -v tgtd >/dev/null || ! command -v tgtadm >/dev/null || ! command -v tgt-admin >/dev/null; then
    log "installing tgt"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tgt >/dev/null
    change "installed tgt"
  fi
  # tgtd's listening portal is a daemon option, not part of tgt's config file: pin it in a drop-in.
  dropin_dir=/etc/systemd/system/tgt.service.d
  dropin="$dropin_dir/hadb-portal.conf"
  dropin_text="$(printf '[Service]\nExecStart=\nExecStart=/usr/sbin/tgtd -f --iscsi portal=%s\n' "$PORTAL")"
  restart=0
  if [[ ! -f $dropin ]] || [[ "$(cat "$dropin")" != "$dropin_text" ]]; then
    mkdir -p "$dropin_dir"
    printf '%s\n' "$dropin_text" >"$dropin"
    chmod 0644 "$dropin"
    systemctl daemon-reload
    restart=1
    change "tgt.service: tgtd listens on $PORTAL ($dropin)"
  fi
  if ! systemctl is-enabled --quiet tgt.service; then
    systemctl enable --quiet tgt.service
    change "tgt.service: enabled at boot"
  fi
  if ((restart)) || ! systemctl is-active --quiet tgt.service; then
    # A restart drops open sessions; it only happens on first setup or when the portal changes.
    systemctl restart tgt.service
    change "tgt.service: (re)started"
  fi
fi

# A started service gets 30 s; a tgtd said to be running already gets 2 s.
for ((try = 0; ; try++)); do
  tgtadm -C "$CONTROL_PORT" --op show --mode sys >/dev/null 2>&1 && break
  if [[ $TGT_START == 1 ]] && ((try >= 30)); then
    die "tgt.service did not come up within 30 s (journalctl -u tgt)"
  elif [[ $TGT_START == 0 ]] && ((try >= 10)); then
    die "no tgtd answers on control port $CONTROL_PORT (HADB_TGT_START=0 expects a running tgtd -C $CONTROL_PORT)"
  fi
  if [[ $TGT_START == 1 ]]; then sleep 1; else sleep 0.2; fi
done

portals="$(tgt "list portals" --op show --mode portal)"
if ! grep -qF "Portal: $PORTAL," <<<"$portals"; then
  die "tgtd does not listen on $PORTAL; it listens on: $(awk '/Portal:/ {printf "%s ", $2}' <<<"$portals")(start it with --iscsi portal=$PORTAL)"
fi

# ---------------------------------------------------------------------------------------------------
# 3. Live state, read before anything is written: LUNs hadb did not ask for, or LUNs backed by another
#    file, stop the run here (hadb never removes or re-points a database's disk).
# ---------------------------------------------------------------------------------------------------
targets="$(tgt "list targets" --op show --mode target)"
tid="$(awk -v iqn="$TARGET_IQN" '$1 == "Target" && $3 == iqn { sub(":", "", $2); print $2 }' <<<"$targets")"

target_block() {
  tgt "show targets" --op show --mode target |
    awk -v head="Target $tid: " 'index($0, head) == 1 { p = 1; next } /^Target [0-9]+: / { p = 0 } p'
}
section() { # title: lines of an indented "<title>:" section, up to the next section title
  awk -v title="$1:" '$0 ~ "^ *" title "$" { s = 1; next } /^ *[A-Za-z_ ]+:$/ || /^[^ ]/ { s = 0 } s && NF { $1 = $1; print }'
}

block=""
[[ -z $tid ]] || block="$(target_block)"
in_use=0
grep -q 'I_T nexus: ' <<<"$block" && in_use=1

declare -A LUN_PATH=() LUN_MB=()
while read -r lun path mb; do
  [[ -n $lun ]] || continue
  LUN_PATH[$lun]="$path"
  LUN_MB[$lun]="$mb"
done < <(awk '$1 == "LUN:" { lun = $2 } $1 == "Size:" { mb = $2 } /Backing store path:/ { print lun, $4, mb }' <<<"$block")
for lun in "${!LUN_PATH[@]}"; do
  if ((lun != 0 && lun > LUN_COUNT)); then
    die "target $TARGET_IQN has LUN $lun (${LUN_PATH[$lun]}) but HADB_LUN_SIZES lists $LUN_COUNT; hadb never removes a LUN (a database's data): remove it by hand if that is intended"
  fi
  if ((lun != 0)) && [[ ${LUN_PATH[$lun]} != "$(lun_file "$lun")" ]]; then
    die "LUN $lun of $TARGET_IQN is backed by ${LUN_PATH[$lun]}, not $(lun_file "$lun"): refusing to re-point a database's disk"
  fi
done

# ---------------------------------------------------------------------------------------------------
# 4. Persistent config (what tgt-admin loads at every tgt start). The previous file tells which secrets
#    tgtd currently holds: tgt never shows a password back, so this is how a changed one is detected.
# ---------------------------------------------------------------------------------------------------
declare -A OLD_SECRET=()
if [[ -f $CONF ]]; then
  while read -r key user secret _; do
    case "$key" in
      incominguser | outgoinguser | incomingdiscoveryuser | outgoingdiscoveryuser)
        if [[ -n ${user:-} && -n ${secret:-} ]]; then OLD_SECRET[$user]="$secret"; fi
        ;;
    esac
  done <"$CONF"
fi

render_conf() {
  printf '# Written by hadb (components/storage/iscsi/iscsi-target.sh) on every run: edits are overwritten.\n'
  printf '# Holds CHAP secrets: root-only. LUN i is the i-th database volume (LUN 0 is tgt'"'"'s controller).\n'
  printf 'incomingdiscoveryuser %s %s\n' "$DISCOVERY_USER" "$DISCOVERY_PASSWORD"
  [[ -z $MUTUAL_USER ]] || printf 'outgoingdiscoveryuser %s %s\n' "$MUTUAL_USER" "$MUTUAL_PASSWORD"
  printf '<target %s>\n' "$TARGET_IQN"
  local i
  for ((i = 1; i <= LUN_COUNT; i++)); do
    printf '    <backing-store %s>\n        lun %s\n    </backing-store>\n' "$(lun_file "$i")" "$i"
  done
  printf '    incominguser %s %s\n' "$CHAP_USER" "$CHAP_PASSWORD"
  [[ -z $MUTUAL_USER ]] || printf '    outgoinguser %s %s\n' "$MUTUAL_USER" "$MUTUAL_PASSWORD"
  local entry
  for entry in "${ALLOWED[@]}"; do printf '    initiator-address %s\n' "$entry"; done
  printf '</target>\n'
}

new_conf="$(render_conf)"
if [[ ! -f $CONF ]] || [[ "$(cat "$CONF")" != "$new_conf" ]]; then
  mkdir -p "$(dirname "$CONF")"
  tmp="$(mktemp "$(dirname "$CONF")/.hadb-conf.XXXXXX")"
  printf '%s\n' "$new_conf" >"$tmp"
  chmod 0600 "$tmp"
  mv -f "$tmp" "$CONF"
  change "wrote $CONF (mode 0600)"
fi
unset new_conf

# ---------------------------------------------------------------------------------------------------
# 5. Live state reconciled with tgtadm (tgt-admin --update would drop and re-create the target, and
#    skips a target in use, so changed credentials would never reach a running lab).
# ---------------------------------------------------------------------------------------------------
if [[ -z $tid ]]; then
  tid=$(($(awk '$1 == "Target" { sub(":", "", $2); if ($2 + 0 > m) m = $2 + 0 } END { print m + 0 }' <<<"$targets") + 1))
  # A new target has no ACL yet, and tgt refuses every login to a target without one: nothing is
  # reachable until CHAP and the LUNs are in place (the ACL is bound last).
  tgt "create target $TARGET_IQN" --op new --mode target --tid "$tid" --targetname "$TARGET_IQN" >/dev/null
  change "created target $TARGET_IQN (tid $tid)"
fi
block="$(target_block)"

# --- CHAP accounts --------------------------------------------------------------------------------
# tgt 1.0.85 keeps a target's incoming accounts in an array that unbinding leaves with a hole while
# readers walk only the first <count> slots: `tgtadm --op show` then dereferences the hole and tgtd
# segfaults, and CHAP lookups miss accounts behind it. tgt also cannot change a password: the account
# is deleted (which unbinds it everywhere) and re-created. So any change is done in one pass with no
# `show` in between, ending with exactly one incoming account per scope in slot 0:
#   1. two guard accounts (random secrets, never disclosed) are bound to the target and to discovery
#      after whatever is bound there, so both keep requiring CHAP throughout (tgt lets anyone in while
#      no incoming account is bound);
#   2. every other incoming account and the first guard are unbound, changed secrets are deleted and
#      re-created: slot 0 is now free in both scopes, the second guard is never in it;
#   3. the wanted accounts are bound (into slot 0), mutual CHAP set;
#   4. the second guard is deleted, which empties the last used slot and leaves the array compact.
target_accounts="$(section "Account information" <<<"$block")"
discovery_accounts="$(tgt "show discovery accounts" --op show --mode sys | section "Account information")"
accounts="$(tgt "list accounts" --op show --mode account | awk 'NR > 1 && NF { print $1 }')"
has_account() { grep -qxF -- "$1" <<<"$accounts"; }

declare -A WANT_SECRET=([$CHAP_USER]="$CHAP_PASSWORD" [$DISCOVERY_USER]="$DISCOVERY_PASSWORD")
[[ -z $MUTUAL_USER ]] || WANT_SECRET[$MUTUAL_USER]="$MUTUAL_PASSWORD"
want_target="$CHAP_USER${MUTUAL_USER:+$'\n'$MUTUAL_USER (outgoing)}"
want_discovery="$DISCOVERY_USER${MUTUAL_USER:+$'\n'$MUTUAL_USER (outgoing)}"

account_changes=()
for user in "${!WANT_SECRET[@]}"; do
  if ! has_account "$user"; then
    account_changes+=("CHAP account $user: created")
  elif [[ ${OLD_SECRET[$user]-} != "${WANT_SECRET[$user]}" ]]; then
    account_changes+=("CHAP account $user: secret replaced")
  fi
done
stale=()
for user in "${!OLD_SECRET[@]}"; do
  if [[ -z ${WANT_SECRET[$user]+set} ]] && has_account "$user"; then
    stale+=("$user")
    account_changes+=("CHAP account $user: deleted (no longer configured)")
  fi
done
[[ "$(sort <<<"$target_accounts")" == "$(sort <<<"$want_target")" ]] ||
  account_changes+=("CHAP target: $CHAP_USER${MUTUAL_USER:+, mutual CHAP as $MUTUAL_USER}")
[[ "$(sort <<<"$discovery_accounts")" == "$(sort <<<"$want_discovery")" ]] ||
  account_changes+=("CHAP discovery: $DISCOVERY_USER${MUTUAL_USER:+, mutual CHAP as $MUTUAL_USER}")

# If a tgtadm call fails halfway, the guards stay bound: the target then refuses everyone (nobody knows
# their secrets) instead of being open, and `systemctl restart tgt` rebuilds it from the config file.
GUARDS=()
if ((${#account_changes[@]} > 0)); then
  # 1. guards
  for guard in "hadb-guard-$$-a" "hadb-guard-$$-b"; do
    GUARDS+=("$guard")
    tgt "create a guard account" --op new --mode account --user "$guard" \
      --password "$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)" >/dev/null
    tgt "bind a guard account to the target" --op bind --mode account --tid "$tid" --user "$guard" >/dev/null
    tgt "bind a guard account to discovery" --op bind --mode account --user "$guard" >/dev/null
  done
  # 2. unbind everything else, replace changed secrets, drop stale accounts
  while read -r user kind; do
    [[ -n $user ]] || continue
    tgt "unbind $user from the target" --op unbind --mode account --tid "$tid" --user "$user" ${kind:+--outgoing} >/dev/null
  done <<<"$target_accounts"
  while read -r user kind; do
    [[ -n $user ]] || continue
    tgt "unbind $user from discovery" --op unbind --mode account --user "$user" ${kind:+--outgoing} >/dev/null
  done <<<"$discovery_accounts"
  tgt "delete a guard account" --op delete --mode account --user "${GUARDS[0]}" >/dev/null
  for user in "${!WANT_SECRET[@]}"; do
    if has_account "$user"; then
      [[ ${OLD_SECRET[$user]-} == "${WANT_SECRET[$user]}" ]] && continue
      tgt "replace account $user" --op delete --mode account --user "$user" >/dev/null
    fi
    tgt "create account $user" --op new --mode account --user "$user" --password "${WANT_SECRET[$user]}" >/dev/null
  done
  for user in "${stale[@]}"; do
    tgt "delete account $user" --op delete --mode account --user "$user" >/dev/null
  done
  # 3. bind what is wanted
  tgt "bind $CHAP_USER to the target" --op bind --mode account --tid "$tid" --user "$CHAP_USER" >/dev/null
  tgt "bind $DISCOVERY_USER to discovery" --op bind --mode account --user "$DISCOVERY_USER" >/dev/null
  if [[ -n $MUTUAL_USER ]]; then
    tgt "bind $MUTUAL_USER (mutual) to the target" --op bind --mode account --tid "$tid" --user "$MUTUAL_USER" --outgoing >/dev/null
    tgt "bind $MUTUAL_USER (mutual) to discovery" --op bind --mode account --user "$MUTUAL_USER" --outgoing >/dev/null
  fi
  # 4. last guard off
  tgt "delete a guard account" --op delete --mode account --user "${GUARDS[1]}" >/dev/null
  for line in "${account_changes[@]}"; do change "$line"; done
fi

# --- LUNs -----------------------------------------------------------------------------------------
for ((i = 1; i <= LUN_COUNT; i++)); do
  file="$(lun_file "$i")"
  bytes="$(stat -c %s "$file")"
  sectors=$((bytes / 512))
  want_mb=$(((sectors - (sectors / 625 - 974)) / 1950)) # tgtadm's own "MB" (usr/target.c print_disksize)
  if [[ -z ${LUN_PATH[$i]+set} ]]; then
    tgt "create LUN $i" --op new --mode logicalunit --tid "$tid" --lun "$i" --backing-store "$file" >/dev/null
    change "LUN $i: exported ($file, ${SIZES[i - 1]})"
  elif [[ ${LUN_MB[$i]} != "$want_mb" ]]; then
    # tgt reads the size when a LUN is created: a grown file needs the LUN re-created, which an
    # initiator in session would see as its disk vanishing.
    if ((in_use)); then
      warn "LUN $i: file grown to ${SIZES[i - 1]} but the target is in use; initiators see the new size after the next tgt restart (or re-run this script when no initiator is logged in)"
    else
      tgt "re-create LUN $i" --op delete --mode logicalunit --tid "$tid" --lun "$i" >/dev/null
      tgt "re-create LUN $i" --op new --mode logicalunit --tid "$tid" --lun "$i" --backing-store "$file" >/dev/null
      change "LUN $i: re-exported at its new size ${SIZES[i - 1]}"
    fi
  fi
done

# --- ACL (last: until now a new target refused every login) ---------------------------------------
# Addresses only (see HADB_INITIATOR_CIDRS): bind the wanted ones first, then drop the rest, including
# any initiator-name entry, which would widen access.
acl="$(target_block | section "ACL information")"
is_name() { [[ $1 =~ ^(iqn|eui|naa)\. ]]; }
for entry in "${ALLOWED[@]}"; do
  grep -qxF -- "$entry" <<<"$acl" && continue
  tgt "allow initiators from $entry" --op bind --mode target --tid "$tid" --initiator-address "$entry" >/dev/null
  change "ACL: $entry allowed"
done
while read -r entry; do
  [[ -n $entry ]] || continue
  ((${#ALLOWED[@]} > 0)) && printf '%s\n' "${ALLOWED[@]}" | grep -qxF -- "$entry" && continue
  if is_name "$entry"; then
    tgt "disallow initiator $entry" --op unbind --mode target --tid "$tid" --initiator-name "$entry" >/dev/null
  else
    tgt "disallow initiators from $entry" --op unbind --mode target --tid "$tid" --initiator-address "$entry" >/dev/null
  fi
  change "ACL: $entry removed"
done <<<"$acl"

summary="target $TARGET_IQN (tid $tid) on $PORTAL: LUNs"
for ((i = 1; i <= LUN_COUNT; i++)); do summary+=" $i=${SIZES[i - 1]}"; done
summary+="; CHAP session user $CHAP_USER, discovery user $DISCOVERY_USER, mutual CHAP $([[ -n $MUTUAL_USER ]] && echo "as $MUTUAL_USER" || echo off)"
summary+="; initiators from ${ALLOWED[*]:-(none)}"
((${#FENCED[@]} == 0)) || summary+="; fenced (iscsi-fence.sh): ${FENCED[*]}"
log "$summary"
if ((CHANGES == 0)); then
  log "no changes"
else
  log "$CHANGES change(s) applied"
fi
