# Shared steps of scripts/run and scripts/test: install what is missing, configure, build.
# Sourced, not executed.

RECOURSE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RECOURSE_PACKAGES=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-websockets-dev libqt6sql6-sqlite qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    libssl-dev libsqlite3-dev libgl-dev libgoogle-perftools-dev
    xvfb xauth fonts-dejavu-core
    dpkg-dev file desktop-file-utils appstream
)
# Only scripts/fuzz needs these: clang with the libFuzzer and sanitizer runtimes.
RECOURSE_FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

# Installs the Debian packages that are not installed yet; does nothing when all are there.
# Without arguments it installs RECOURSE_PACKAGES.
install_packages() {
    local wanted=("$@")
    if [ "${#wanted[@]}" -eq 0 ]; then
        wanted=("${RECOURSE_PACKAGES[@]}")
    fi
    local missing=()
    local package
    for package in "${wanted[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    echo "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Configures and builds one CMake preset (dev, asan or release). Further arguments name the
# targets to build; without them everything is built, tests and benchmarks included.
build_preset() {
    local preset="$1"
    shift
    cmake --preset "$preset" -S "$RECOURSE_ROOT" >/dev/null
    cmake --build --preset "$preset" -j "$(nproc)" ${1:+--target "$@"}
}
