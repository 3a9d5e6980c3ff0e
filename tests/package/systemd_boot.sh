#!/usr/bin/env bash
# package.systemd_boot: the .deb under a real systemd. Boots Debian 12's systemd as PID 1 of
# a container (../shared/REAL-SYSTEMD.md), installs the package there with
# `apt-get install ./winnow_*.deb`, and checks the units: start, STATUS=, a reload (in a root
# without procps), the watchdog, an upgrade, a crawl and a crawl of a missing list, a
# draining stop, and a purge.
#     systemd_boot.sh DEB WORK_DIR
# Slow (about 55 s, and 35-110 s more for the first debootstrap) and needs the Debian mirror:
# it runs only with WINNOW_TEST_SYSTEMD=1 (scripts/test --systemd), else exits 77 (skipped).
# Needs root, systemd-nspawn (systemd-container) and debootstrap, and the Debian mirror apt
# uses, for the base system and the package's dependencies; exits 77 (skipped) without them.
# The base root is made once and kept in WORK_DIR/base (debootstrap: about 35 s).
set -euo pipefail
[ "${WINNOW_TEST_SYSTEMD:-0}" = 1 ] || { echo "SKIP: set WINNOW_TEST_SYSTEMD=1 (scripts/test --systemd)"; exit 77; }
debs=($1) work=$2
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { echo "FAIL: no single .deb at $1"; exit 1; }
deb=$(realpath "${debs[0]}")
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for tool in systemd-nspawn debootstrap nsenter; do
  command -v $tool >/dev/null || { echo "SKIP: no $tool (apt-get install systemd-container debootstrap)"; exit 77; }
done
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || { echo "SKIP: no Debian mirror configured for apt"; exit 77; }
source_dir=$(cd "$(dirname "$0")/../.." && pwd)

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
t0=$SECONDS
step() { echo "[$((SECONDS - t0))s] $*"; }

mkdir -p "$work"
base=$work/base
if ! [ -e "$base/.complete" ]; then
  step "debootstrap bookworm (once) into $base"
  rm -rf "$base"
  # minbase without procps: /bin/kill must not be needed.
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$base" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; exit 1; }
  touch "$base/.complete"
fi
root=$work/root
rm -rf "$root"
step "copy the base root"
cp -a "$base" "$root"
rm -f "$root/.complete"

# The package's dependencies come from the mirror, which the container cannot reach
# (--private-network): apt-get installs the package once in a chroot, and dpkg removes it again,
# leaving the dependencies. Inside the booted container apt-get then installs the .deb for real,
# with systemd running, as an administrator would.
# Not in /tmp: the booted container mounts a tmpfs there.
mkdir -p "$root/opt/winnow-test"
cp "$deb" "$root/opt/winnow-test/"
debname=$(basename "$deb")
step "apt-get install ./$debname in a chroot (dependencies)"
cp /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" apt-get update -qq >"$work/apt-chroot.log" 2>&1 || { tail -20 "$work/apt-chroot.log"; exit 1; }
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/opt/winnow-test/$debname" \
  >>"$work/apt-chroot.log" 2>&1 || { tail -20 "$work/apt-chroot.log"; exit 1; }
chroot "$root" dpkg --purge winnow >>"$work/apt-chroot.log" 2>&1
chroot "$root" dpkg-query -W procps >/dev/null 2>&1 && fail "procps got installed: the reload check would prove nothing"

# Test feed: the sample feed and the pages it links to, served by file:// inside the container.
mkdir -p "$root/srv/winnow/systemd/sample" "$root/srv/winnow/tests/fixtures"
cp "$source_dir/systemd/sample/feed.xml" "$root/srv/winnow/systemd/sample/"
cp -r "$source_dir/tests/fixtures/seeds" "$root/srv/winnow/tests/fixtures/"
chmod -R a+rX "$root/srv/winnow"

step "boot"
setsid systemd-nspawn -D "$root" -b --private-network --register=no --keep-unit --console=passive \
  -M winnow-test-$$ >"$work/nspawn.log" 2>&1 &
nspawn=$!
pid1=
for _ in $(seq 100); do
  pid1=$(pgrep -P $nspawn -x systemd || true)
  [ -n "$pid1" ] && break
  sleep 0.1
done
[ -n "$pid1" ] || { cat "$work/nspawn.log"; exit 1; }
ct() { nsenter -t "$pid1" -a "$@"; }
cleanup() {
  ct systemctl poweroff >/dev/null 2>&1 || true
  for _ in $(seq 100); do kill -0 $nspawn 2>/dev/null || break; sleep 0.1; done
  kill $nspawn 2>/dev/null || true
  wait $nspawn 2>/dev/null || true
  # nspawn leaves these behind (REAL-SYSTEMD.md), sometimes with an empty init.scope inside;
  # rmdir removes a cgroup only when no process is left in it.
  for d in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
    for c in "$d/payload" "$d/supervisor"; do
      [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
  done
  rmdir /run/systemd/nspawn/locks /run/systemd/nspawn/propagate /run/systemd/nspawn 2>/dev/null || true
}
trap cleanup EXIT
# Until PID 1 answers on its socket, then until start-up is done ("degraded" is fine here).
for _ in $(seq 100); do
  ct test -S /run/systemd/private && break
  sleep 0.1
done
ct systemctl is-system-running --wait >/dev/null 2>&1 || true

step "apt-get install ./$debname in the booted container"
ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/opt/winnow-test/$debname" >"$work/apt.log" 2>&1 ||
  { tail -20 "$work/apt.log"; fail "apt-get install ./$debname"; }
state=$(ct systemctl is-enabled winnowd.service 2>&1 || true)
[ "$state" = disabled ] || fail "a fresh install left winnowd $state, not disabled"

if out=$(ct systemd-analyze verify winnowd.service winnow-crawl@daily.service winnow-crawl@daily.timer 2>&1); then
  [ -n "$out" ] && echo "systemd-analyze verify: $out"
else
  echo "$out"; fail "systemd-analyze verify (no man-db in this root)"
fi

# The configuration an administrator writes: the sample feed, no network.
sed -i 's|^urls = .*|urls = ["file:///srv/winnow/systemd/sample/feed.xml"]|' "$root/etc/winnow/winnowd.toml"
echo '# edited' >>"$root/etc/winnow/winnowd.toml"
# A 4 s watchdog (pings every 2 s) to see the pings without waiting a minute.
mkdir -p "$root/etc/systemd/system/winnowd.service.d"
printf '[Service]\nWatchdogSec=4\n' >"$root/etc/systemd/system/winnowd.service.d/test.conf"
ct systemctl daemon-reload

step "systemctl enable --now winnowd"
ct systemctl enable --now winnowd.service >/dev/null 2>&1 || fail "systemctl enable --now winnowd"
[ "$(ct systemctl is-active winnowd.service)" = active ] || fail "winnowd is not active"
archived=0
for _ in $(seq 100); do
  status=$(ct systemctl show -p StatusText --value winnowd.service)
  archived=$(sed -n 's/.*archived \([0-9]*\).*/\1/p' <<<"$status")
  [ "${archived:-0}" -ge 5 ] && break
  sleep 0.2
done
echo "StatusText: $status"
# The wording is winnowd's (daemon/cli/winnowd.cc); only the feed count and "archived N" matter.
[[ $status =~ ^feeds\ 1[^0-9] ]] || fail "STATUS= does not start with 'feeds 1': $status"
[ "${archived:-0}" -ge 5 ] || fail "STATUS= says archived ${archived:-?}, expected the sample's 5 articles"

step "watchdog"
w1=$(ct systemctl show -p WatchdogTimestampMonotonic --value winnowd.service)
sleep 2.5
w2=$(ct systemctl show -p WatchdogTimestampMonotonic --value winnowd.service)
[ "$w1" != "$w2" ] && [ "$w2" != 0 ] || fail "no watchdog ping in 2.5 s ($w1 -> $w2)"

step "systemctl reload winnowd"
main_pid=$(ct systemctl show -p MainPID --value winnowd.service)
ct systemctl reload winnowd.service || fail "systemctl reload winnowd (exit $?)"
for _ in $(seq 50); do
  [ "$(ct systemctl is-active winnowd.service || true)" = active ] && break
  sleep 0.1
done
[ "$(ct systemctl is-active winnowd.service || true)" = active ] || fail "not active after the reload"
[ "$(ct systemctl show -p MainPID --value winnowd.service)" = "$main_pid" ] || fail "the reload restarted winnowd"
sleep 0.5
ct journalctl -u winnowd.service -o cat --no-pager | grep -q '^reloaded' || fail "no 'reloaded' line in the journal"

step "winnow reload (through systemd), --check-config and --version in the container"
ct /usr/bin/winnow reload >/dev/null 2>&1 || fail "winnow reload"
sleep 0.5
[ "$(ct journalctl -u winnowd.service -o cat --no-pager | grep -c '^reloaded')" -ge 2 ] || fail "winnow reload did not reload"
ct /usr/bin/winnowd --check-config /etc/winnow/winnowd.toml >/dev/null 2>&1 || fail "winnowd --check-config /etc/winnow/winnowd.toml"
version=$(dpkg-deb -f "$deb" Version)
[ "$(ct /usr/bin/winnow --version)" = "winnow $version" ] || fail "winnow --version is not the package's $version"

step "apt-get install --reinstall: the upgrade path restarts a running winnowd"
main_pid=$(ct systemctl show -p MainPID --value winnowd.service)
ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "/opt/winnow-test/$debname" \
  >>"$work/apt.log" 2>&1 || fail "apt-get install --reinstall"
[ "$(ct systemctl is-active winnowd.service || true)" = active ] || fail "not active after the upgrade"
[ "$(ct systemctl show -p MainPID --value winnowd.service)" != "$main_pid" ] || fail "the upgrade did not restart winnowd"
grep -qx '# edited' "$root/etc/winnow/winnowd.toml" || fail "the upgrade replaced the edited conffile"

step "winnow-crawl@ of a missing list"
ct systemctl start winnow-crawl@missing.service >/dev/null 2>&1 && fail "a crawl of a missing list started"
state=$(ct systemctl is-failed winnow-crawl@missing.service || true)
[ "$state" = failed ] || fail "winnow-crawl@missing is $state, not failed"
ct journalctl -u winnow-crawl@missing.service -o cat --no-pager | grep -q 'no crawl list /etc/winnow/crawl/missing.list' ||
  fail "winnow-crawl@missing does not say which list is missing"

step "winnow-crawl@ of a list"
echo "file:///srv/winnow/tests/fixtures/seeds/000-react.html" >"$root/etc/winnow/crawl/local.list"
ct systemctl start winnow-crawl@local.service || fail "winnow-crawl@local failed"
result=$(ct systemctl show -p Result --value winnow-crawl@local.service)
[ "$result" = success ] || fail "winnow-crawl@local: Result=$result"

step "systemctl stop winnowd"
stop_start=$SECONDS
ct systemctl stop winnowd.service
echo "stop took $((SECONDS - stop_start)) s"
result=$(ct systemctl show -p Result --value winnowd.service)
status=$(ct systemctl show -p ExecMainStatus --value winnowd.service)
[ "$result" = success ] && [ "$status" = 0 ] || fail "stop: Result=$result ExecMainStatus=$status"
ct journalctl -u winnowd.service -o cat --no-pager | grep -q '^stopped' || fail "no 'stopped' line (drain) in the journal"
echo "--- journal of winnowd ---"
ct journalctl -u winnowd.service -o cat --no-pager | tail -15

step "apt-get remove winnow"
ct env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq winnow >>"$work/apt.log" 2>&1 || fail "apt-get purge winnow"
[ -e "$root/etc/systemd/system/multi-user.target.wants/winnowd.service" ] &&
  fail "purge left the multi-user.target.wants/winnowd.service link"

step "done"
if ((failures)); then echo "$failures failure(s); the container's root is kept in $root"; exit 1; fi
cleanup; trap - EXIT
rm -rf "$root"
echo "package.systemd_boot: all checks passed"
