#!/usr/bin/env bash
# package.deb_contents: builds the .deb from this build tree (cpack), unpacks it into a
# scratch root with dpkg-deb -x, and checks that everything the units name is in it, that the
# unpacked winnowd accepts the packaged configuration, and that lintian finds no error.
#     deb_contents.sh BUILD_DIR WORK_DIR
# Exit 77 (ctest: skipped) without dpkg-shlibdeps (package dpkg-dev), which cpack needs.
set -euo pipefail
build=$1 work=$2
command -v dpkg-shlibdeps >/dev/null || { echo "SKIP: no dpkg-shlibdeps (apt-get install dpkg-dev)"; exit 77; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

rm -rf "$work" && mkdir -p "$work"
(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >cpack.log 2>&1) ||
  { cat "$work/cpack.log"; exit 1; }
debs=("$work"/out/winnow_*_amd64.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { ls -R "$work/out"; echo "FAIL: no single winnow_VERSION_amd64.deb"; exit 1; }
deb=${debs[0]}
echo "package: $(basename "$deb") ($(stat -c %s "$deb") bytes)"

root=$work/root
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"

# --- control: computed dependencies, the conffile, the maintainer scripts ---
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libcurl4 libsqlite3-0 libsystemd0; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib (dpkg-shlibdeps not run?)"
done
grep -qx /etc/winnow/winnowd.toml "$work/control/conffiles" || fail "/etc/winnow/winnowd.toml is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "no executable $script"
  sh -n "$work/control/$script" || fail "$script: syntax error"
done

# --- files: binaries, units, configuration, documentation ---
expect_file() { [ -f "$root$1" ] || fail "missing $1"; }
for f in /usr/bin/winnow /usr/bin/winnowd; do
  [ -x "$root$f" ] || fail "missing or not executable: $f"
done
units=(winnowd.service winnow-crawl@.service winnow-crawl@.timer)
for u in "${units[@]}"; do expect_file "/usr/lib/systemd/system/$u"; done
expect_file /etc/winnow/winnowd.toml
[ -d "$root/etc/winnow/crawl" ] || fail "missing directory /etc/winnow/crawl"
expect_file /usr/share/doc/winnow/copyright
expect_file /usr/share/doc/winnow/changelog.gz
expect_file /usr/share/doc/winnow/install.md
expect_file /usr/share/doc/winnow/operation.md
expect_file /usr/share/bash-completion/completions/winnow
expect_file /usr/share/bash-completion/completions/winnowd
expect_file /usr/share/zsh/vendor-completions/_winnow
for page in man1/winnow.1 man8/winnowd.8 man5/winnowd.toml.5; do
  expect_file "/usr/share/man/$page.gz"
  gzip -t "$root/usr/share/man/$page.gz" || fail "$page.gz is not gzip"
done

# --- what the units name: every absolute path on an Exec line, every Documentation= ---
for u in "${units[@]}"; do
  unit=$root/usr/lib/systemd/system/$u
  [ -f "$unit" ] || continue
  while IFS= read -r line; do
    cmd=${line#*=}
    cmd=${cmd#[-@:+!]}; cmd=${cmd#[-@:+!]}
    for word in $cmd; do
      word=${word//\'/}; word=${word//\"/}
      [[ $word == /* ]] || continue
      # Instance paths (%i) are the administrator's to create (/etc/winnow/crawl/NAME.list).
      [[ $word == *%* ]] && { [ -d "$root$(dirname "$word")" ] || fail "$u: no directory for $word"; continue; }
      [ -e "$root$word" ] || [ -e "$word" ] || fail "$u names $word, which is neither in the package nor on this system"
      # A program run by a unit must come with the package or with Debian's essential set.
      if [[ $word == "${cmd%% *}" ]] && ! [ -x "$root$word" ]; then
        case $word in
          /bin/sh|/usr/bin/test|/bin/test) ;;
          *) fail "$u runs $word, which the package does not ship" ;;
        esac
      fi
    done
  done < <(grep -E '^Exec[A-Za-z]*=' "$unit")
  while IFS= read -r doc; do
    case $doc in
      man:*) name=${doc#man:}; sec=${name##*(}; sec=${sec%)}; name=${name%(*}
             expect_file "/usr/share/man/man$sec/$name.$sec.gz" ;;
      file://*) expect_file "${doc#file://}" ;;
      https://*) ;;
      *) fail "$u: unexpected Documentation=$doc" ;;
    esac
  done < <(sed -n 's/^Documentation=//p' "$unit" | tr ' ' '\n' | sed '/^$/d')
  # The units need no account and no tmpfiles entry; if one ever does, the package must ship it.
  if grep -qE '^(User|Group)=' "$unit" && ! grep -q '^DynamicUser=yes' "$unit"; then
    ls "$root"/usr/lib/sysusers.d/*.conf >/dev/null 2>&1 || fail "$u: a static User= without a sysusers.d file"
  fi
done
# systemd's own check of the unpacked units, offline: a copy of the package's root given
# this system's own units (sysinit.target ...) and shell, which the units expect.
if command -v systemd-analyze >/dev/null && [ -d /usr/lib/systemd/system ] && [ -x /bin/sh ]; then
  vroot=$work/verify-root
  cp -a "$root" "$vroot"
  cp -rn /usr/lib/systemd/system/. "$vroot/usr/lib/systemd/system/"
  ln -s usr/bin "$vroot/bin"
  cp "$(readlink -f /bin/sh)" "$vroot/usr/bin/sh"
  # --man=no: the Documentation= pages were checked above, in the package itself.
  if ! out=$(systemd-analyze verify --root="$vroot" --man=no winnowd.service winnow-crawl@daily.service \
               winnow-crawl@daily.timer 2>&1); then
    echo "$out"; fail "systemd-analyze verify"
  elif [ -n "$out" ]; then
    echo "systemd-analyze verify: $out"
  fi
fi

# --- the unpacked daemon runs, and accepts the packaged configuration ---
winnowd=$root/usr/bin/winnowd
if "$winnowd" --help 2>&1 | grep -q -- --check-config; then
  "$winnowd" --check-config "$root/etc/winnow/winnowd.toml" >"$work/check-config.out" 2>&1 ||
    { cat "$work/check-config.out"; fail "winnowd --check-config on the packaged configuration"; }
else
  "$winnowd" --help >"$work/help.out" 2>&1 || { cat "$work/help.out"; fail "winnowd --help"; }
  grep -q -- --config "$work/help.out" || fail "winnowd --help does not mention --config"
fi
"$root/usr/bin/winnow" --help >/dev/null || fail "winnow --help"

# --- lintian, when installed: errors fail, warnings are listed ---
if command -v lintian >/dev/null; then
  lintian --tag-display-limit 0 "$deb" >"$work/lintian.out" 2>&1 || true
  cat "$work/lintian.out"
  if grep -q '^E:' "$work/lintian.out"; then fail "lintian reports errors"; fi
else
  echo "lintian not installed: not run (scripts/package installs it)"
fi

if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "package.deb_contents: all checks passed"
