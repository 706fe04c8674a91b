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
catzilla_private_apt() {
	local dir
	dir="$(catzilla_cache_dir)/apt"
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
EOF
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
