#!/usr/bin/env bash
# Builds META-INF/native/libcatzilla_jemalloc_<os>_<arch>.so (+ .sha256) into the classes directory.
# Run by Maven (exec-maven-plugin, phase process-classes, Linux profile); can be run by hand the same way:
#   build.sh <classes dir> <javac -h header dir> <work dir> <java home>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
csrc="$(cd "$here/../c" && pwd)"
classes="${1:?usage: build.sh <classes dir> <header dir> <work dir> <java home>}"
headers="${2:?header dir}"
work="${3:?work dir}"
java_home="${4:?java home}"

os="$(uname -s | tr '[:upper:]' '[:lower:]')"
case "$(uname -m)" in
	x86_64 | amd64) arch=x86_64 ;;
	aarch64 | arm64) arch=aarch64 ;;
	*) arch="$(uname -m)" ;;
esac
if [[ "$os" != linux || ( "$arch" != x86_64 && "$arch" != aarch64 ) ]]; then
	echo "catzilla: WARNING: no native build for $os-$arch (supported: linux-x86_64; linux-aarch64 untested)." >&2
	echo "catzilla: WARNING: the jar will not contain a native library; Jemalloc.isAvailable() will be false." >&2
	exit 0
fi
name="libcatzilla_jemalloc_${os}_${arch}.so"

header="$headers/dev_catzilla_allocator_JemallocNative.h"
[[ -f "$header" ]] || { echo "catzilla: $header missing (javac -h did not run?)" >&2; exit 1; }
jni_include="$java_home/include"
[[ -f "$jni_include/jni.h" ]] || { echo "catzilla: no jni.h under $jni_include (needs a JDK)" >&2; exit 1; }

jemalloc="$(bash "$here/jemalloc.sh" "$arch")"

cc="${CC:-cc}"
mkdir -p "$work/obj" "$classes/META-INF/native"
objects=()
for c in "$csrc"/*.c; do
	o="$work/obj/$(basename "$c" .c).o"
	"$cc" -std=gnu11 -Wall -Wextra -Werror -O2 -fvisibility=hidden -fPIC \
		-I"$jni_include" -I"$jni_include/$os" -I"$headers" -I"$jemalloc/include" -I"$csrc" \
		-c "$c" -o "$o"
	objects+=("$o")
done

tmp="$work/$name.tmp"
"$cc" -shared -o "$tmp" "${objects[@]}" "$jemalloc/lib/libjemalloc_pic.a" \
	-Wl,--exclude-libs,ALL -Wl,--version-script="$here/catzilla.map" \
	-Wl,-z,noexecstack -Wl,-z,relro,-z,now -Wl,-z,nodelete -Wl,--no-undefined -Wl,--strip-debug \
	-lpthread -lm
mv -f "$tmp" "$classes/META-INF/native/$name"
(cd "$classes/META-INF/native" && sha256sum "$name" | cut -d' ' -f1 >"$name.sha256")
echo "catzilla: built $classes/META-INF/native/$name" >&2
