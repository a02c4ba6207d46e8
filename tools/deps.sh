#!/bin/sh
# Check for the Debian packages the build and tests need; install the missing
# ones when running as root, otherwise print the exact apt-get line.
# Usage: deps.sh [all|build|iso|test|debug]
set -eu
what=${1:-all}
missing=""

need() { # need PACKAGE TEST-COMMAND...
    pkg=$1
    shift
    if ! "$@" >/dev/null 2>&1; then
        case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
    fi
}

have() { command -v "$1"; }
m32_works() {
    printf 'int main(void){return 0;}\n' | gcc -m32 -x c - -o /tmp/eyn-m32-check.$$ && rm -f /tmp/eyn-m32-check.$$
}

# the build runs the i386 busybox to list its applets: natively, or with qemu-user
i386_runs() {
    printf 'int main(void){return 0;}\n' | gcc -m32 -static -x c - -o /tmp/eyn-i386-check.$$ &&
        { /tmp/eyn-i386-check.$$ || qemu-i386 /tmp/eyn-i386-check.$$; }
    r=$?
    rm -f /tmp/eyn-i386-check.$$
    return $r
}

need gcc have gcc
need make have make
need binutils have ld
need gcc-multilib m32_works
need qemu-user i386_runs
case $what in all|iso|test)
    need grub-pc-bin test -d /usr/lib/grub/i386-pc
    need grub-common have grub-mkrescue
    need xorriso have xorriso
    need mtools have mformat ;;
esac
case $what in debug)
    need qemu-system-x86 have qemu-system-i386
    need gdb have gdb ;;
esac
case $what in all|test)
    need qemu-system-x86 have qemu-system-i386
    need libcmocka-dev test -f /usr/include/cmocka.h
    need lz4 have lz4 # test_lz4's interop with the reference codec
    need python3 have python3 ;;
esac

[ -z "$missing" ] && exit 0
line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    # gcc-multilib pulls the 32-bit libc only with a working gcc; re-check
    m32_works || { echo "deps: gcc -m32 still does not work" >&2; exit 1; }
else
    echo "deps: missing packages. Run as root:" >&2
    echo "    sudo $line" >&2
    exit 1
fi
