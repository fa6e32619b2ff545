#!/usr/bin/env bash
# hadb storage fencing for a tgt iSCSI target: makes the target refuse one initiator address, so a node
# that is lost, or alive but cut off from the cluster, can no longer write to any LUN, whatever its
# kernel still believes. Run as root beside tgtd by hadb's fence agent (components/storage/iscsi/
# fence-agent/) on the lab's target VM, and for real by tests/iscsi-fence.test.ts.
#
#   iscsi-fence.sh fence <address> <node> <boot-id>   refuse the address; exit 0 only once the target holds
#                                                     no session from it (its in-flight I/O has completed)
#   iscsi-fence.sh unfence <address>                  allow the address again (only after the node rebooted)
#   iscsi-fence.sh list                               fenced addresses, one JSON object per line
#
# How (tgt 1.0.x): tgt checks its initiator ACL at login only, so fencing is (1) a state file recording the
# fence (what iscsi-target.sh and `list` read: a re-provisioning never lets a fenced address back in),
# (2) the address's line dropped from tgt's config file (a tgt restart does not either), (3) the ACL entry
# unbound (no new login), (4) every connection of every session from the address closed with
# `tgtadm --mode conn --op delete`. tgt frees a session, and its I_T nexus, only after the commands it
# was executing on the backing store have completed; so once no I_T nexus from the address is left, no
# write of that node can reach a LUN any more, and the agent may let Kubernetes move the volume.
# SCSI-3 persistent reservations (which tgt implements) would need every node to register a key before
# writing; Kubernetes' iSCSI volume plugin registers none, so the ACL is the fence (docs/fencing.md).
#
# The ACL must name initiators one address per entry (the lab's target does: HADB_INITIATOR_CIDRS lists
# the node addresses): an address admitted through a network entry cannot be refused alone, and `fence`
# fails rather than pretend.
#
# Environment:
#   HADB_TARGET_IQN           required: the target (iscsi-target.sh's HADB_TARGET_IQN)
#   HADB_INITIATOR_CIDRS      required for unfence: the target's wanted ACL (an address is restored only
#                             if it is one of its entries)
#   HADB_TGT_CONTROL_PORT     tgtd management port (default 0)
#   HADB_TGT_CONF             tgt config file iscsi-target.sh writes (default /etc/tgt/conf.d/hadb.conf)
#   HADB_FENCE_DIR            fence state (default /var/lib/hadb/fence), one file per fenced address
#   HADB_FENCE_DRAIN_SECONDS  how long fence waits for the sessions to go (default 30; 1..600)
set -euo pipefail
umask 077

readonly PROG="iscsi-fence.sh"
log() { printf '%s: %s\n' "$PROG" "$*"; }
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit "${2:-1}"
}
usage() { die "usage: $PROG fence <address> <node> <boot-id> | unfence <address> | list" 2; }

TARGET_IQN="${HADB_TARGET_IQN:-}"
CONTROL_PORT="${HADB_TGT_CONTROL_PORT:-0}"
CONF="${HADB_TGT_CONF:-/etc/tgt/conf.d/hadb.conf}"
FENCE_DIR="${HADB_FENCE_DIR:-/var/lib/hadb/fence}"
DRAIN_SECONDS="${HADB_FENCE_DRAIN_SECONDS:-30}"
read -r -a WANTED <<<"${HADB_INITIATOR_CIDRS:-}"

readonly IPV4_RE='^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
readonly NODE_RE='^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$'
readonly BOOT_ID_RE='^[A-Za-z0-9-]{1,64}$'
readonly PATH_RE='^/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$'

action="${1:-}"
[[ -n $action ]] || usage
shift
case "$action" in
  fence) (($# == 3)) || usage ;;
  unfence) (($# == 1)) || usage ;;
  list) (($# == 0)) || usage ;;
  *) usage ;;
esac
address="${1:-}"
if [[ $action != list ]] && ! [[ $address =~ $IPV4_RE ]]; then
  die "\"$address\" is not an IPv4 address (fencing works on initiator addresses)" 2
fi
[[ $FENCE_DIR =~ $PATH_RE ]] || die "HADB_FENCE_DIR=\"$FENCE_DIR\" must be an absolute path of [A-Za-z0-9._/-]" 2
state_file="$FENCE_DIR/$address"

if [[ $action == list ]]; then
  [[ -d $FENCE_DIR ]] || exit 0
  for file in "$FENCE_DIR"/*; do
    [[ -f $file && ${file##*/} =~ $IPV4_RE ]] || continue
    node="" boot="" since=""
    while IFS='=' read -r key value; do
      case "$key" in
        node) node="$value" ;;
        bootId) boot="$value" ;;
        fencedAt) since="$value" ;;
      esac
    done <"$file"
    # Values were validated when written: no JSON escaping is needed.
    printf '{"address":"%s","node":"%s","bootId":"%s","fencedAt":"%s"}\n' "${file##*/}" "$node" "$boot" "$since"
  done
  exit 0
fi

[[ -n $TARGET_IQN ]] || die "HADB_TARGET_IQN is required" 2
[[ $CONTROL_PORT =~ ^[0-9]{1,5}$ ]] || die "HADB_TGT_CONTROL_PORT=\"$CONTROL_PORT\" must be a port number" 2
[[ $CONF =~ $PATH_RE ]] || die "HADB_TGT_CONF=\"$CONF\" must be an absolute path of [A-Za-z0-9._/-]" 2
if ! [[ $DRAIN_SECONDS =~ ^[0-9]{1,3}$ ]] || ((10#$DRAIN_SECONDS < 1 || 10#$DRAIN_SECONDS > 600)); then
  die "HADB_FENCE_DRAIN_SECONDS=\"$DRAIN_SECONDS\" must be an integer from 1 to 600" 2
fi
if [[ $action == fence ]]; then
  [[ $2 =~ $NODE_RE ]] || die "\"$2\" is not a Kubernetes node name" 2
  [[ $3 =~ $BOOT_ID_RE ]] || die "\"$3\" is not a boot ID" 2
fi
[[ "$(id -u)" -eq 0 ]] || die "must run as root (tgtadm talks to tgtd over a root-only socket)"

tgt() { tgtadm -C "$CONTROL_PORT" --lld iscsi "$@"; }
targets="$(tgt --op show --mode target)" || die "tgtd does not answer on control port $CONTROL_PORT"
tid="$(awk -v iqn="$TARGET_IQN" '$1 == "Target" && $3 == iqn { sub(":", "", $2); print $2 }' <<<"$targets")"
[[ -n $tid ]] || die "target $TARGET_IQN is not on this tgtd"

# Lines of one section ("I_T nexus information", "ACL information") of our target's block.
target_section() {
  tgt --op show --mode target | awk -v head="Target $tid: " -v title="$1:" '
    index($0, head) == 1 { t = 1; next }
    /^Target [0-9]+: / { t = 0 }
    t && $0 ~ "^ *" title "$" { s = 1; next }
    t && /^    [A-Z]/ { s = 0 }
    t && s && NF { $1 = $1; print }'
}
acl() { target_section "ACL information"; }
# "<sid> <cid>" of every connection from the address.
connections() {
  target_section "I_T nexus information" | awk -v ip="$address" '
    $1 == "I_T" { sid = $3 } $1 == "Connection:" { cid = $2 } $1 == "IP" && $3 == ip { print sid, cid }'
}

ip_value() {
  local IFS=.
  read -r a b c d <<<"$1"
  printf '%s' $(((a << 24) | (b << 16) | (c << 8) | d))
}
# The ACL entry (a network) admitting the address besides its own entry, if any.
covering_entry() {
  local entry net bits value
  value="$(ip_value "$address")"
  while read -r entry; do
    [[ $entry =~ ^([0-9.]+)/([0-9]+)$ ]] || continue
    net="$(ip_value "${BASH_REMATCH[1]}")" bits=${BASH_REMATCH[2]}
    if (((value >> (32 - bits)) == (net >> (32 - bits)))); then
      printf '%s' "$entry"
      return
    fi
  done < <(acl)
}

# tgt's config file without (fence) the address's ACL line, or (unfence) with the ACL lines iscsi-target.sh
# writes: the wanted entries in their order, less the other fenced ones. Replaced atomically.
rewrite_conf() {
  [[ -f $CONF ]] || return 0
  local tmp entry lines=""
  tmp="$(mktemp "$(dirname "$CONF")/.hadb-fence.XXXXXX")"
  if [[ $1 == drop ]]; then
    grep -vxF -- "    initiator-address $address" "$CONF" >"$tmp" || true
  else
    for entry in "${WANTED[@]}"; do
      [[ $entry != "$address" && -f $FENCE_DIR/$entry ]] || lines+="    initiator-address $entry"$'\n'
    done
    awk -v lines="$lines" '
      /^    initiator-address / { next }
      $0 == "</target>" { printf "%s", lines }
      { print }' "$CONF" >"$tmp"
  fi
  chmod 0600 "$tmp"
  mv -f "$tmp" "$CONF"
}

if [[ $action == fence ]]; then
  covering="$(covering_entry)"
  [[ -z $covering ]] ||
    die "$address logs in through the ACL entry $covering: it cannot be refused alone; list initiators one address per entry (HADB_INITIATOR_CIDRS)"
  # 1. The fence is recorded first: from here on nothing of hadb's lets the address back in.
  if [[ ! -f $state_file ]]; then
    mkdir -p "$FENCE_DIR"
    chmod 0700 "$FENCE_DIR"
    tmp="$(mktemp "$FENCE_DIR/.fence.XXXXXX")"
    printf 'node=%s\nbootId=%s\nfencedAt=%s\n' "$2" "$3" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$tmp"
    mv -f "$tmp" "$state_file"
  fi
  # 2. and 3. No login from the address after a tgt restart, nor from now on.
  rewrite_conf drop
  if acl | grep -qxF -- "$address"; then
    tgt --op unbind --mode target --tid "$tid" --initiator-address "$address" >/dev/null
  fi
  # 4. Close its connections until the target holds no session from it (bounded).
  deadline=$((SECONDS + 10#$DRAIN_SECONDS))
  while true; do
    open="$(connections)"
    [[ -n $open ]] || break
    ((SECONDS < deadline)) ||
      die "sessions from $address still open after ${DRAIN_SECONDS} s (I_T nexus, connection: ${open//$'\n'/, })"
    while read -r sid cid; do
      # A session can go between listing and closing: "no session/connection" is not an error here.
      tgt --op delete --mode conn --tid "$tid" --sid "$sid" --cid "$cid" >/dev/null 2>&1 || true
    done <<<"$open"
    sleep 0.2
  done
  ! acl | grep -qxF -- "$address" || die "$address is still in the ACL of $TARGET_IQN"
  log "fenced $address (node $2, boot $3): not in the ACL of $TARGET_IQN, no session left"
  exit 0
fi

# unfence: the address comes back only as one of the target's wanted entries.
allowed=0
for entry in "${WANTED[@]}"; do [[ $entry == "$address" ]] && allowed=1; done
if ((allowed)); then
  if ! acl | grep -qxF -- "$address"; then
    tgt --op bind --mode target --tid "$tid" --initiator-address "$address" >/dev/null
  fi
  rewrite_conf add
fi
# The fence record goes last: an interrupted unfence is simply repeated.
rm -f "$state_file"
if ((allowed)); then
  log "unfenced $address: back in the ACL of $TARGET_IQN"
else
  log "unfenced $address: not one of HADB_INITIATOR_CIDRS, so it stays out of the ACL"
fi
