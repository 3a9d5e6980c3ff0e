#!/usr/bin/env bash
# package.install_destdir: `DESTDIR=D cmake --install BUILD --prefix /usr` puts every file
# under D once (the configuration used to land at D/D/etc/...), and a second install keeps
# an edited configuration.
#     install_destdir.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
dest=$work/dest
DESTDIR=$dest cmake --install "$build" --prefix /usr >"$work/install.log"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
for f in /usr/bin/winnow /usr/bin/winnowd /usr/lib/systemd/system/winnowd.service /etc/winnow/winnowd.toml; do
  [ -f "$dest$f" ] || fail "missing $f under DESTDIR"
done
[ -d "$dest/etc/winnow/crawl" ] || fail "missing /etc/winnow/crawl under DESTDIR"
[ "$(stat -c %a "$dest/etc/winnow/winnowd.toml")" = 644 ] || fail "winnowd.toml is not 0644"
# Nothing outside DESTDIR's own tree: no $DESTDIR/$DESTDIR/..., no file in the real /etc.
stray=$(find "$dest" -path "$dest$dest*" -print -quit)
[ -z "$stray" ] || fail "installed under DESTDIR twice: $stray"
echo "# edited by the administrator" >>"$dest/etc/winnow/winnowd.toml"
DESTDIR=$dest cmake --install "$build" --prefix /usr >>"$work/install.log"
tail -1 "$dest/etc/winnow/winnowd.toml" | grep -q "edited by the administrator" || fail "a second install overwrote the configuration"
if ((failures)); then cat "$work/install.log"; exit 1; fi
echo "package.install_destdir: all checks passed"
