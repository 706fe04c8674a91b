# shellcheck shell=bash
# Sourced by the native build scripts. A private APT configuration: its own package lists and cache under
# Catzilla's cache directory, its sources derived from this machine's own APT sources (deb and deb-src), so that
# `apt-get source --download-only` and `apt-get download` work without root and without changing the system.
# No host name is written here: every source line comes from the machine's files.

catzilla_cache_dir() {
	if [[ -n "${XDG_CACHE_HOME:-}" ]]; then
		printf '%s/catzilla' "$XDG_CACHE_HOME"
	elif [[ -n "${HOME:-}" ]]; then
		printf '%s/.cache/catzilla' "$HOME"
	else
		printf '%s/catzilla-cache-%s' "${TMPDIR:-/tmp}" "$(id -u)"
	fi
}

# Prints the path of a private apt.conf, creating it (and running `apt-get update` once, under a lock) if needed.
# With CATZILLA_APT_FOREIGN=arm64 set, a second configuration (its own lists) that also knows arm64 packages
# (APT::Architectures), for `apt-get download pkg:arm64`; the system's dpkg architectures are not touched.
# With CATZILLA_APT_SUITE=bullseye set, another configuration (its own lists) whose sources name that Debian suite
# instead of this machine's own (VERSION_CODENAME of /etc/os-release), e.g. for an older glibc to test against.
catzilla_private_apt() {
	local dir foreign="${CATZILLA_APT_FOREIGN:-}" suite="${CATZILLA_APT_SUITE:-}" own="" arches="" status=""
	dir="$(catzilla_cache_dir)/apt${foreign:+-$foreign}${suite:+-$suite}"
	if [[ -n "$suite" ]]; then
		own="$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")"
		[[ -n "$own" ]] || { echo "catzilla: no VERSION_CODENAME in /etc/os-release: cannot derive $suite's sources" >&2; return 1; }
		# An empty dpkg status: else the installed (newer) packages would be the download candidates.
		status="Dir::State::status \"$dir/status\";"
	fi
	if [[ -n "$foreign" ]]; then
		arches="APT::Architectures { \"$(dpkg --print-architecture)\"; \"$foreign\"; };"
	fi
	mkdir -p "$dir"
	(
		flock 9
		if [[ ! -f "$dir/apt.conf" || ! -f "$dir/updated" ]]; then
			mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/sources"
			rm -f "$dir/sources/"*
			local found=0 f
			for f in /etc/apt/sources.list.d/*.sources; do
				[[ -f "$f" ]] || continue
				# deb822 files: every "Types:" line gets both deb and deb-src.
				if grep -qE '^Types:.*\bdeb\b' "$f"; then
					sed -E 's/^Types:.*$/Types: deb deb-src/' "$f" >"$dir/sources/$(basename "$f")"
					found=1
				fi
			done
			for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
				[[ -f "$f" ]] || continue
				if grep -qE '^[[:space:]]*deb[[:space:]]' "$f"; then
					{
						grep -E '^[[:space:]]*deb[[:space:]]' "$f"
						grep -E '^[[:space:]]*deb[[:space:]]' "$f" | sed -E 's/^([[:space:]]*)deb[[:space:]]/\1deb-src /'
					} >"$dir/sources/$(basename "$f" .list)-catzilla.list"
					found=1
				fi
			done
			if [[ -n "$suite" ]]; then
				# bookworm, bookworm-updates, bookworm-security ... become the same lines for $suite.
				sed -i -E "s/(^|[[:space:]/])$own([-[:space:]]|$)/\1$suite\2/g" "$dir/sources/"*
				grep -rqw "$suite" "$dir/sources/" || { echo "catzilla: no '$own' in this machine's APT sources to replace by '$suite'" >&2; exit 1; }
			fi
			if [[ $found == 0 ]]; then
				echo "catzilla: no APT 'deb' sources found in /etc/apt; cannot fetch packages by name." >&2
				echo "catzilla: set JEMALLOC_SOURCE=/path/to/jemalloc-5.3.0.tar.bz2 instead." >&2
				exit 1
			fi
			cat >"$dir/apt.conf" <<EOF
Dir::State::Lists "$dir/lists";
Dir::Cache "$dir/cache";
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$dir/sources";
Debug::NoLocking "true";
APT::Sandbox::User "$(id -un)";
Acquire::Languages "none";
$arches
$status
EOF
			touch "$dir/status"
			APT_CONFIG="$dir/apt.conf" apt-get -q update >"$dir/update.log" 2>&1 || {
				cat "$dir/update.log" >&2
				echo "catzilla: private 'apt-get update' failed (log above)." >&2
				exit 1
			}
			touch "$dir/updated"
		fi
	) 9>"$dir/.lock" || return 1
	printf '%s/apt.conf' "$dir"
}

# Runs `apt-get "$@"` in the current directory with the private configuration. If it fails (e.g. cached package
# lists name a file the archive has since replaced), refreshes the lists once and tries again.
catzilla_apt_get() {
	local apt_conf
	apt_conf="$(catzilla_private_apt)" || return 1
	if APT_CONFIG="$apt_conf" apt-get -q "$@" >&2; then
		return 0
	fi
	echo "catzilla: 'apt-get $*' failed; refreshing the private package lists and trying once more" >&2
	rm -f "$(dirname "$apt_conf")/updated"
	apt_conf="$(catzilla_private_apt)" || return 1
	APT_CONFIG="$apt_conf" apt-get -q "$@" >&2
}

# Extracts Debian packages (no root: `apt-get download` + `dpkg-deb -x`) into a private root directory under the
# cache and prints its path. Usage: catzilla_deb_root <name> <package[=version]>...
# A package pinned with =version that the archive no longer offers is fetched at its current version instead, with a
# WARNING line (Debian replaces point-release versions). The root is keyed by the requested list, built in a temporary
# directory and moved into place under a lock, so concurrent builds are safe. Absolute symbolic links inside the
# root are made relative, so that the root is self-contained wherever it lies (e.g. as a qemu sysroot).
catzilla_deb_root() {
	local name="$1" key cache out lock
	shift
	cache="$(catzilla_cache_dir)"
	key="$(printf '%s\n' "${CATZILLA_APT_FOREIGN:-}${CATZILLA_APT_SUITE:+ suite=$CATZILLA_APT_SUITE}" "$@" | sha256sum | cut -c1-12)"
	out="$cache/$name-$key"
	mkdir -p "$cache"
	(
		flock 9
		if [[ -f "$out/.complete" ]]; then
			echo "catzilla: using cached $out ($# packages)" >&2
			exit 0
		fi
		command -v dpkg-deb >/dev/null || { echo "catzilla: dpkg-deb not found" >&2; exit 1; }
		local tmp pkg deb link target rel
		tmp="$(mktemp -d "$cache/.$name.XXXXXX")"
		trap 'rm -rf "$tmp"' EXIT
		mkdir -p "$tmp/debs" "$tmp/root"
		for pkg in "$@"; do
			echo "catzilla: fetching Debian package $pkg" >&2
			if ! (cd "$tmp/debs" && catzilla_apt_get download "$pkg" >/dev/null 2>"$tmp/apt.err"); then
				if [[ "$pkg" == *=* ]]; then
					echo "catzilla: WARNING: $pkg is no longer in the archive; fetching ${pkg%%=*} at its current version" >&2
					(cd "$tmp/debs" && catzilla_apt_get download "${pkg%%=*}" >/dev/null) || exit 1
				else
					cat "$tmp/apt.err" >&2
					exit 1
				fi
			fi
		done
		for deb in "$tmp/debs"/*.deb; do
			dpkg-deb -x "$deb" "$tmp/root"
			basename "$deb" >>"$tmp/root/.packages"
		done
		while IFS= read -r -d '' link; do
			target="$(readlink "$link")"
			if [[ "$target" == /* ]]; then
				rel="$(realpath -m --relative-to="$(dirname "$link")" "$tmp/root$target")"
				ln -sfn "$rel" "$link"
			fi
		done < <(find "$tmp/root" -type l -print0)
		touch "$tmp/root/.complete"
		rm -rf "$out"
		mv -T "$tmp/root" "$out"
		rm -rf "$tmp"
		trap - EXIT
	) 9>"$cache/.lock-$name" || return 1
	printf '%s' "$out"
}
