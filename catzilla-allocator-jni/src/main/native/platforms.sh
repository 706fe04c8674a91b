# shellcheck shell=bash
# Sourced by the native build scripts: reads the one platform table,
# src/main/resources/dev/catzilla/allocator/platforms.tsv (which NativePlatform reads from the jar).

catzilla_platforms_file="$(cd "$(dirname "${BASH_SOURCE[0]}")/../resources/dev/catzilla/allocator" && pwd)/platforms.tsv"
[[ -f "$catzilla_platforms_file" ]] || { echo "catzilla: platform table $catzilla_platforms_file missing" >&2; exit 1; }

# The table's rows without comments and header.
catzilla_platform_rows() {
	grep -v '^#' "$catzilla_platforms_file" | tail -n +2
}

# The platform names, one a line (linux-x86_64 ... linux-x86_64-musl ...).
catzilla_platforms() {
	catzilla_platform_rows | cut -f1
}

# catzilla_platform_field <platform> <column name>: one cell ("-" printed as empty); fails for an unknown platform.
catzilla_platform_field() {
	local platform="$1" column="$2" index
	index="$(grep -v '^#' "$catzilla_platforms_file" | head -1 | tr '\t' '\n' | grep -nx "$column" | cut -d: -f1)"
	[[ -n "$index" ]] || { echo "catzilla: no column '$column' in $catzilla_platforms_file" >&2; return 1; }
	local value
	value="$(catzilla_platform_rows | awk -F'\t' -v p="$platform" -v i="$index" '$1 == p { print $i }')"
	[[ -n "$value" ]] || { echo "catzilla: platform '$platform' is not in $catzilla_platforms_file" >&2; return 1; }
	[[ "$value" == - ]] && value=""
	printf '%s' "$value"
}

# catzilla_normalise_arch <name>: the table's arch for a machine/JVM name (amd64 -> x86_64), else the name itself.
catzilla_normalise_arch() {
	local name="$1" arch aliases
	while IFS=$'\t' read -r _ arch _ aliases _; do
		if [[ "$name" == "$arch" || ",$aliases," == *",$name,"* ]]; then
			printf '%s' "$arch"
			return 0
		fi
	done < <(catzilla_platform_rows)
	printf '%s' "$name"
}
