#!/usr/bin/env bash
# Builds the Debian package from a build tree with CPack, unpacks it into a scratch root with
# dpkg -x and checks it: the control fields, the file list, the maintainer scripts, the desktop
# and AppStream files, and the unpacked executables run against the system's Qt, including a
# headless service that the unpacked recoursectl calls.
#
# Usage: install-deb.sh BUILD_DIR VERSION
set -euo pipefail

build_dir=$(cd "$1" && pwd)
version=$2
scratch=$(mktemp -d)
server_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

passed=0
failed=0
pass() {
    echo "ok - $1"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL - $1" >&2
    failed=$((failed + 1))
}
check() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}
finish() {
    echo "$passed passed, $failed failed"
    if [ "$failed" -eq 0 ]; then
        exit 0
    fi
    exit 1
}

# The package, built into the scratch folder so that parallel runs never share CPack's staging.
if ! (cd "$build_dir" && cpack -G DEB -B "$scratch/cpack") >"$scratch/cpack.log" 2>&1; then
    cat "$scratch/cpack.log" >&2
    fail "cpack builds the package"
    finish
fi
deb=$(find "$scratch/cpack" -maxdepth 1 -name "recourse_${version}_*.deb" | head -n 1)
if [ -z "$deb" ]; then
    ls -l "$scratch/cpack" >&2
    fail "cpack writes recourse_${version}_ARCH.deb"
    finish
fi
pass "cpack builds $(basename "$deb")"

# Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
check "package name is recourse" test "$(field Package)" = recourse
check "version is $version" test "$(field Version)" = "$version"
check "section is net" test "$(field Section)" = net
check "maintainer is set" grep -q '<.*@.*>' <<<"$(field Maintainer)"
depends=$(field Depends)
for dependency in libqt6sql6-sqlite adduser libqt6core6 libqt6network6 libqt6widgets6 libqt6websockets6 libssl3; do
    check "Depends names $dependency" grep -qE "(^|, )$dependency( |,|$)" <<<"$depends"
done

# Files.
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$scratch/files"
for path in /usr/bin/recourse /usr/bin/recourse-demo /usr/bin/recoursectl \
    /usr/share/recourse/policies/demo/rules.json /usr/share/recourse/policies/arap-conformance/templates.json \
    /usr/share/recourse/policies/certification/rules.json \
    /usr/share/applications/recourse.desktop /usr/share/metainfo/io.recourse.Recourse.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/io.recourse.Recourse.svg \
    /usr/share/icons/hicolor/256x256/apps/io.recourse.Recourse.png \
    /usr/lib/systemd/system/recourse.service /etc/recourse/config.json.example \
    /usr/share/man/man1/recourse.1.gz /usr/share/man/man1/recoursectl.1.gz /usr/share/man/man1/recourse-demo.1.gz \
    /usr/share/doc/recourse/copyright /usr/share/doc/recourse/changelog.gz; do
    check "package contains $path" grep -qxF "$path" "$scratch/files"
done
check "package installs nothing under /usr/local" bash -c "! grep -q '^/usr/local' '$scratch/files'"

# Maintainer scripts and conffiles.
dpkg-deb -e "$deb" "$scratch/control"
for script in postinst prerm postrm; do
    check "$script is an executable POSIX shell script" bash -c "test -x '$scratch/control/$script' && sh -n '$scratch/control/$script'"
done
check "postinst creates the recourse system user" grep -q 'adduser --system' "$scratch/control/postinst"
check "postinst makes the home folder before adduser, which warns otherwise" \
    awk '/mkdir -p \/var\/lib\/recourse/ { made = NR } /adduser --system/ { added = NR }
         END { exit !(made && added && made < added) }' "$scratch/control/postinst"
check "the example configuration is a conffile" grep -qxF /etc/recourse/config.json.example "$scratch/control/conffiles"

# The unpacked executables with the system's Qt libraries only.
root="$scratch/root"
dpkg -x "$deb" "$root"
run() { env -u LD_LIBRARY_PATH -u QT_PLUGIN_PATH "$@"; }
check "recourse --version names $version" grep -qE "^recourse $version \(Qt [0-9.]+\)$" <<<"$(run "$root/usr/bin/recourse" --version)"
check "recoursectl --version names $version" test "$(run "$root/usr/bin/recoursectl" --version)" = "recoursectl $version"
check "recourse-demo --help runs" bash -c "env -u LD_LIBRARY_PATH '$root/usr/bin/recourse-demo' --help | grep -q '^Usage: recourse-demo'"
for binary in recourse recourse-demo recoursectl; do
    check "$binary has no RPATH or RUNPATH" bash -c "! readelf -d '$root/usr/bin/$binary' | grep -qE 'RPATH|RUNPATH'"
    check "$binary resolves every library" bash -c "! env -u LD_LIBRARY_PATH ldd '$root/usr/bin/$binary' | grep -q 'not found'"
done

# The packaged service, headless on a free loopback port, called by the packaged recoursectl.
cat >"$scratch/config.json" <<'JSON'
{"identities": [{"id": "ops", "role": "approver", "groups": ["managers"], "token": "package-test-token"}]}
JSON
: >"$scratch/service.out"
: >"$scratch/service.err"
# env execs the service, so $! is the service itself and SIGTERM reaches it directly.
env -u LD_LIBRARY_PATH -u QT_PLUGIN_PATH "$root/usr/bin/recourse" --headless --listen 127.0.0.1:0 \
    --data-dir "$scratch/data" --policy demo --config "$scratch/config.json" \
    >"$scratch/service.out" 2>"$scratch/service.err" &
server_pid=$!
url=
for _ in $(seq 1 200); do
    url=$(sed -n 's/^listening on \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$scratch/service.out" | head -n 1)
    if [ -n "$url" ] || ! kill -0 "$server_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$url" ]; then
    cat "$scratch/service.err" >&2
    fail "the packaged service starts and prints its URL"
else
    pass "the packaged service starts and prints its URL"
    check "the packaged recoursectl reaches it" test "$(RECOURSE_URL=$url RECOURSE_TOKEN=package-test-token \
        run "$root/usr/bin/recoursectl" whoami | head -n 1)" = "ops (approver), groups managers"
    check "its store opens through the SQLite driver" test -s "$scratch/data/recourse.db"
    kill -TERM "$server_pid"
    status=0
    wait "$server_pid" || status=$?
    server_pid=
    check "the packaged service exits 0 on SIGTERM" test "$status" -eq 0
    if [ "$status" -ne 0 ]; then
        cat "$scratch/service.err" >&2
    fi
fi

# Desktop integration files, where the validators are installed.
if command -v desktop-file-validate >/dev/null; then
    check "desktop-file-validate accepts recourse.desktop" desktop-file-validate "$root/usr/share/applications/recourse.desktop"
else
    echo "skip - desktop-file-validate is not installed"
fi
if command -v appstreamcli >/dev/null; then
    check "appstreamcli accepts the metainfo" appstreamcli validate --no-net "$root/usr/share/metainfo/io.recourse.Recourse.metainfo.xml"
else
    echo "skip - appstreamcli is not installed"
fi

finish
