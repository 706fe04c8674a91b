#!/usr/bin/env bash
# Builds Catzilla's private jemalloc (static, PIC, prefixed, nothing exported) and prints the directory that holds
# lib/libjemalloc_pic.a and include/jemalloc/jemalloc.h. Source: Debian's source package `jemalloc` fetched by name
# (or JEMALLOC_SOURCE=/path/to/jemalloc-5.3.0 tarball), always checked against the pinned SHA-256.
# Cached under ${XDG_CACHE_HOME:-$HOME/.cache}/catzilla/, keyed by version + a hash of the configure flags and this
# script; entries are built in a temporary directory and moved into place, so concurrent builds are safe.
# Usage: jemalloc.sh <platform>     (a row of the platform table: linux-x86_64, linux-aarch64-musl ...)
# A platform other than the machine's own (another arch, or musl) is cross-compiled for its triplet: set
# CATZILLA_CROSS_BIN to a directory holding <triplet>-gcc, -ar, -ranlib, -nm (cross-toolchain.sh and
# musl-toolchain.sh print one).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=apt-private.sh
source "$here/apt-private.sh"
# shellcheck source=platforms.sh
source "$here/platforms.sh"

JEMALLOC_VERSION=5.3.0
JEMALLOC_TARBALL=jemalloc_5.3.0.orig.tar.bz2
JEMALLOC_SHA256=2db82d1e7119df3e71b7640219b6dfe84789bc0537983c3b7ac4f7189aecfeaa

platform="${1:?usage: jemalloc.sh <platform>}"
# Page size and virtual-address bits: configure measures them on the build machine, which is wrong when cross
# compiling, so both are given, from the platform table (lg_page, lg_vaddr). Why these values and what they cost:
# docs/native.md ("linux-aarch64"): x86_64 pages are always 4 KiB; aarch64 64 KiB, also correct on 4 and 16 KiB
# kernels (12 would break on 64 KiB ones).
arch="$(catzilla_platform_field "$platform" arch)" || { echo "catzilla: no jemalloc build recipe for '$platform'" >&2; exit 1; }
libc="$(catzilla_platform_field "$platform" libc)"
lg_page="$(catzilla_platform_field "$platform" lg_page)"
lg_vaddr="$(catzilla_platform_field "$platform" lg_vaddr)"
triplet="$(catzilla_platform_field "$platform" triplet)"
host_triplet=()
build_arch="$(catzilla_normalise_arch "$(uname -m)")"
if [[ "$arch" != "$build_arch" || "$libc" != glibc ]]; then
	# Also musl on the same arch: configure for the musl triplet, so that it neither runs the musl programs it builds
	# nor assumes glibc (it then finds musl's pthread_atfork and XSI strerror_r instead of glibc's).
	[[ -x "${CATZILLA_CROSS_BIN:-}/$triplet-gcc" ]] || {
		echo "catzilla: building jemalloc for $platform needs CATZILLA_CROSS_BIN with $triplet-gcc (see cross-toolchain.sh, musl-toolchain.sh)" >&2
		exit 1
	}
	export PATH="$CATZILLA_CROSS_BIN:$PATH"
	host_triplet=(--host="$triplet")
	export CC="$triplet-gcc" AR="$triplet-ar" RANLIB="$triplet-ranlib" NM="$triplet-nm"
fi

# Why each flag: see docs/native.md ("jemalloc build").
configure_flags=(
	--disable-initial-exec-tls
	--with-jemalloc-prefix=catzilla_je_
	--with-private-namespace=catzilla_je_private_
	--without-export
	--disable-cxx
	--disable-shared
	--enable-static
	--disable-cache-oblivious
	--disable-prof
	--disable-libdl
	--with-lg-page="$lg_page"
	${lg_vaddr:+--with-lg-vaddr="$lg_vaddr"}
	"${host_triplet[@]}"
)
# After jemalloc's own CFLAGS (-O3 -g3 ...), so these win; -g0: the .so is shipped without debug info anyway.
cflags="-fPIC -O2 -g0"
# The glibc floor (2.17): old symbol versions for the pthread functions jemalloc calls (see glibc-floor.h).
glibc_floor="$here/glibc-floor.h"
if [[ "$libc" == glibc ]]; then
	cflags="$cflags -include $glibc_floor"
fi

cache="$(catzilla_cache_dir)"
# The key holds the header's content, not its path: every checkout shares one cache entry.
# The C library is part of the key (a musl archive must never be taken for a glibc one, or the reverse).
# A cross compiler's wrapper (its flags, its packages' cache directory) is part of it too.
compiler_wrapper=/dev/null
[[ ${#host_triplet[@]} == 0 ]] || compiler_wrapper="$CATZILLA_CROSS_BIN/$triplet-gcc"
key="$( { printf '%s\n' "$JEMALLOC_VERSION" "$arch" "$libc" "${cflags/"$glibc_floor"/glibc-floor.h}" "${configure_flags[@]}"; cat "${BASH_SOURCE[0]}" "$glibc_floor" "$compiler_wrapper"; } \
	| sha256sum | cut -c1-16)"
out="$cache/jemalloc/$JEMALLOC_VERSION-$arch-$libc-$key"

# One build per key at a time: a concurrent build waits here, then finds the result in the cache.
mkdir -p "$cache/jemalloc"
exec 8>"$cache/jemalloc/.lock-$JEMALLOC_VERSION-$arch-$libc-$key"
flock 8

if [[ -f "$out/lib/libjemalloc_pic.a" && -f "$out/include/jemalloc/jemalloc.h" ]]; then
	echo "catzilla: using cached jemalloc $out" >&2
	printf '%s\n' "$out"
	exit 0
fi

verify() { # <file>
	local actual
	actual="$(sha256sum "$1" | cut -d' ' -f1)"
	if [[ "$actual" != "$JEMALLOC_SHA256" ]]; then
		echo "catzilla: REFUSED $1: SHA-256 $actual, expected $JEMALLOC_SHA256 (jemalloc $JEMALLOC_VERSION)" >&2
		return 1
	fi
}

# 1. The source tarball.
if [[ -n "${JEMALLOC_SOURCE:-}" ]]; then
	tarball="$JEMALLOC_SOURCE"
	[[ -f "$tarball" ]] || { echo "catzilla: JEMALLOC_SOURCE=$tarball does not exist" >&2; exit 1; }
	verify "$tarball"
else
	tarball="$cache/downloads/$JEMALLOC_TARBALL"
	if [[ ! -f "$tarball" ]]; then
		mkdir -p "$cache/downloads"
		dl="$(mktemp -d "$cache/downloads/.dl.XXXXXX")"
		trap 'rm -rf "$dl"' EXIT
		echo "catzilla: downloading Debian source package 'jemalloc'" >&2
		(cd "$dl" && catzilla_apt_get source --download-only jemalloc)
		[[ -f "$dl/$JEMALLOC_TARBALL" ]] || {
			echo "catzilla: 'apt-get source jemalloc' did not deliver $JEMALLOC_TARBALL (got: $(ls "$dl"))" >&2
			exit 1
		}
		verify "$dl/$JEMALLOC_TARBALL"
		mv -f "$dl/$JEMALLOC_TARBALL" "$tarball"
		rm -rf "$dl"
		trap - EXIT
	fi
	verify "$tarball"
fi

# 2. Configure and build in a temporary directory, then move the result into place.
mkdir -p "$cache/jemalloc"
work="$(mktemp -d "$cache/jemalloc/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tar -xjf "$tarball" -C "$work"
src="$work/jemalloc-$JEMALLOC_VERSION"
[[ -f "$src/src/jemalloc.c" ]] || { echo "catzilla: unexpected tarball layout" >&2; exit 1; }

# jemalloc initialises itself from a library constructor, i.e. while System.load runs, before Java could hand it
# any options. Neutralise exactly that constructor; jemalloc then initialises on JemallocNative.initialize().
# (jemalloc's comment on that constructor explains the fork caveat; see docs/native.md.)
pattern='JEMALLOC_ATTR\(constructor\)\nstatic void\njemalloc_constructor\(void\) \{'
if [[ "$(perl -0ne "print scalar(() = /$pattern/g)" "$src/src/jemalloc.c")" != 1 ]]; then
	echo "catzilla: expected exactly one 'JEMALLOC_ATTR(constructor) static void jemalloc_constructor(void)' in src/jemalloc.c" >&2
	exit 1
fi
perl -0pi -e "s/$pattern/JEMALLOC_ATTR(unused)\nstatic void\njemalloc_constructor(void) {/" "$src/src/jemalloc.c"
if [[ "$(perl -0ne "print scalar(() = /$pattern/g)" "$src/src/jemalloc.c")" != 0 ]] \
	|| ! grep -B2 '^jemalloc_constructor(void) {$' "$src/src/jemalloc.c" | grep -q '^JEMALLOC_ATTR(unused)$'; then
	echo "catzilla: neutralising jemalloc_constructor did not apply" >&2
	exit 1
fi

echo "catzilla: building jemalloc $JEMALLOC_VERSION ($platform: $arch, $libc) in $work" >&2
(
	cd "$src"
	CFLAGS="$cflags" ./configure "${configure_flags[@]}" >"$work/configure.log" 2>&1 || {
		tail -50 "$work/configure.log" >&2
		echo "catzilla: jemalloc configure failed" >&2
		exit 1
	}
	# Only the PIC archive we link (jemalloc would otherwise also compile every file a second time, non-PIC).
	make -j"$(nproc 2>/dev/null || echo 2)" lib/libjemalloc_pic.a >"$work/make.log" 2>&1 || {
		tail -50 "$work/make.log" >&2
		echo "catzilla: jemalloc make failed" >&2
		exit 1
	}
)
# The archive must not use the initial-exec TLS model (it cannot be dlopen()ed then).
if readelf -r "$src/lib/libjemalloc_pic.a" | grep -qE 'R_X86_64_(GOTTPOFF|TPOFF32)|R_AARCH64_TLSIE'; then
	echo "catzilla: jemalloc archive contains initial-exec TLS relocations" >&2
	exit 1
fi

stage="$work/out"
mkdir -p "$stage/lib" "$stage/include/jemalloc"
cp "$src/lib/libjemalloc_pic.a" "$stage/lib/"
cp "$src/include/jemalloc/jemalloc.h" "$stage/include/jemalloc/"
cp "$work/configure.log" "$stage/"
if ! mv -T "$stage" "$out" 2>/dev/null; then
	# Another build finished first; its result is equivalent.
	[[ -f "$out/lib/libjemalloc_pic.a" ]] || { echo "catzilla: could not place $out" >&2; exit 1; }
fi
rm -rf "$work"
trap - EXIT
echo "catzilla: jemalloc cached in $out" >&2
printf '%s\n' "$out"
