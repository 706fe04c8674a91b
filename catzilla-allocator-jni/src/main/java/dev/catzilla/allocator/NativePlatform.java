package dev.catzilla.allocator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one list of platforms Catzilla's jar carries a native library for, and how this
 * machine is named against it. The list is the platform table {@code platforms.tsv} (a
 * resource next to this class, also read by the native build scripts); the loader, the
 * diagnostics, the Spring failure analyzer and the tests take it from here, and the docs'
 * platform matrix is checked against it. A platform is {@code <os>-<arch>} for glibc,
 * e.g. {@code linux-x86_64}, and {@code <os>-<arch>-musl} for musl (Alpine), e.g.
 * {@code linux-x86_64-musl}; its library is
 * {@code META-INF/native/libcatzilla_jemalloc_<platform with _ for ->.so} with a
 * {@code .sha256} next to it. Which row this process uses depends on its C library,
 * detected before anything is loaded ({@link #libc()}): a musl process gets the musl
 * library, a glibc process the glibc one, never the other.
 */
public final class NativePlatform {

	/**
	 * The one platform table (also read by the native build scripts), a resource next to
	 * this class.
	 */
	static final String TABLE = "platforms.tsv";

	private static final List<Map<String, String>> ROWS = readTable();

	/**
	 * The platforms the jar built by {@code mvn verify} on a Linux x86_64 machine
	 * carries, in the order of the platform table: {@code linux-x86_64} (built and tested
	 * natively), {@code linux-aarch64} (cross-compiled, tested under qemu user-mode
	 * emulation), {@code linux-x86_64-musl} and {@code linux-aarch64-musl} (built with
	 * Debian's musl, tested through a musl C harness, natively and under qemu: no musl
	 * JVM was used).
	 */
	public static final List<String> SUPPORTED = ROWS.stream().map((row) -> row.get("platform")).toList();

	/**
	 * The oldest glibc the libraries link against: the highest {@code GLIBC_x.y} symbol
	 * version they need. The build links against Debian 12's glibc 2.36 and binds the
	 * {@code pthread_*} functions glibc 2.32/2.34 re-versioned to their old versions
	 * ({@code src/main/native/glibc-floor.h}). Asserted against the built libraries by
	 * the tests, which also run the linux-x86_64 library on Debian 11's glibc 2.31.
	 */
	public static final String MINIMUM_GLIBC = "2.17";

	/** The C library names of the table's {@code libc} column. */
	static final String GLIBC = "glibc";

	static final String MUSL = "musl";

	private static final Pattern GLIBC_BANNER = Pattern.compile("GNU C Library [^\\n]*?release version (\\d+\\.\\d+)");

	private NativePlatform() {
	}

	/**
	 * Normalised operating system name, e.g. {@code linux}, {@code mac_os_x},
	 * {@code windows_11}.
	 */
	public static String os() {
		return System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
	}

	/**
	 * Normalised architecture name: the table's ({@code x86_64}, {@code aarch64}) for it
	 * or an alias, else the JVM's.
	 */
	public static String arch() {
		String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
		for (Map<String, String> row : ROWS) {
			String own = row.get("arch");
			if (arch.equals(own) || List.of(row.get("aliases").split(",")).contains(arch)) {
				return own;
			}
		}
		return arch.replaceAll("[^a-z0-9]+", "_");
	}

	/**
	 * One cell of the platform table ({@code null} for an unknown platform or column; "-"
	 * is empty).
	 */
	static String field(String platform, String column) {
		for (Map<String, String> row : ROWS) {
			if (row.get("platform").equals(platform)) {
				String value = row.get(column);
				return "-".equals(value) ? "" : value;
			}
		}
		return null;
	}

	private static List<Map<String, String>> readTable() {
		try (InputStream in = NativePlatform.class.getResourceAsStream(TABLE)) {
			if (in == null) {
				throw new IllegalStateException("the platform table " + TABLE + " is missing next to "
						+ NativePlatform.class.getName() + " (a broken jar)");
			}
			List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
				.filter((line) -> !line.isBlank() && !line.startsWith("#"))
				.toList();
			String[] header = lines.get(0).split("\t");
			List<Map<String, String>> rows = new ArrayList<>();
			for (String line : lines.subList(1, lines.size())) {
				String[] cells = line.split("\t");
				if (cells.length != header.length) {
					throw new IllegalStateException(
							TABLE + ": row '" + line + "' has " + cells.length + " cells, the header " + header.length);
				}
				Map<String, String> row = new LinkedHashMap<>();
				for (int i = 0; i < header.length; i++) {
					row.put(header[i], cells[i]);
				}
				rows.add(Map.copyOf(row));
			}
			return List.copyOf(rows);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not read the platform table " + TABLE, ex);
		}
	}

	/**
	 * This process's platform name: the table's row for its os, arch and C library, e.g.
	 * {@code linux-x86_64} (glibc) or {@code linux-x86_64-musl}. An unknown C library
	 * gives the glibc name (the loader then refuses it with that reason,
	 * {@link NativeLoadFailure#libcRefusal}).
	 */
	public static String current() {
		return platform(os(), arch(), libcFamily(libc()));
	}

	/**
	 * The row for {@code os}, {@code arch} and C library {@code libc} ({@value #GLIBC},
	 * {@value #MUSL}, or {@code null} for an unknown one, named like glibc), or the name
	 * such a row would have when the table has none: {@code <os>-<arch>} for glibc,
	 * {@code <os>-<arch>-<libc>} otherwise.
	 */
	static String platform(String os, String arch, String libc) {
		String family = (libc != null) ? libc : GLIBC;
		for (Map<String, String> row : ROWS) {
			if (row.get("platform").startsWith(os + "-") && row.get("arch").equals(arch)
					&& row.get("libc").equals(family)) {
				return row.get("platform");
			}
		}
		return os + "-" + arch + (family.equals(GLIBC) ? "" : "-" + family);
	}

	/**
	 * The C library {@code platform}'s library is built for ({@value #GLIBC} or
	 * {@value #MUSL}), or {@code null} for a platform the table does not have.
	 */
	public static String cLibraryOf(String platform) {
		return field(platform, "libc");
	}

	/**
	 * {@value #GLIBC}, {@value #MUSL} or {@code null} for a {@link #libc()} answer
	 * ({@code glibc 2.36}, ...).
	 */
	static String libcFamily(String libc) {
		if (libc.equals(GLIBC) || libc.startsWith(GLIBC + " ")) {
			return GLIBC;
		}
		if (libc.equals(MUSL) || libc.startsWith(MUSL + " ")) {
			return MUSL;
		}
		return null;
	}

	/** {@code true} when the jar carries a library for {@code platform}. */
	public static boolean isSupported(String platform) {
		return SUPPORTED.contains(platform);
	}

	/**
	 * The library name for {@code System.loadLibrary}, e.g.
	 * {@code catzilla_jemalloc_linux_x86_64_musl}.
	 */
	static String libraryName(String platform) {
		return "catzilla_jemalloc_" + platform.replace('-', '_');
	}

	/**
	 * The shared object's file name for {@code platform}, e.g.
	 * {@code libcatzilla_jemalloc_linux_x86_64.so}.
	 */
	public static String fileName(String platform) {
		return "lib" + libraryName(platform) + ".so";
	}

	/**
	 * The list for humans, grouped by C library:
	 * {@code linux-x86_64, linux-aarch64 (Linux with glibc 2.17 or newer);
	 * linux-x86_64-musl, linux-aarch64-musl (Linux with musl, e.g. Alpine)}.
	 */
	public static String describeSupported() {
		Map<String, List<String>> byLibc = new LinkedHashMap<>();
		for (Map<String, String> row : ROWS) {
			byLibc.computeIfAbsent(row.get("libc"), (libc) -> new ArrayList<>()).add(row.get("platform"));
		}
		List<String> groups = new ArrayList<>();
		byLibc.forEach((libc,
				platforms) -> groups.add(String.join(", ", platforms) + " (Linux with " + (libc.equals(GLIBC)
						? "glibc " + MINIMUM_GLIBC + " or newer" : libc.equals(MUSL) ? "musl, e.g. Alpine" : libc)
						+ ")"));
		return String.join("; ", groups);
	}

	/**
	 * This process's C library, found in {@code /proc/self/maps} (no native code) once
	 * per class loader: e.g. {@code glibc 2.36}, {@code musl}, or {@code unknown}.
	 */
	public static String libc() {
		return Libc.DETECTED;
	}

	/**
	 * Detected on first use (reading the maps and libc's version banner costs a few
	 * milliseconds).
	 */
	private static final class Libc {

		static final String DETECTED = detectLibc(Path.of("/proc/self/maps"));

	}

	static String detectLibc(Path maps) {
		try {
			if (!Files.isReadable(maps)) {
				return "unknown";
			}
			for (String line : Files.readAllLines(maps, StandardCharsets.ISO_8859_1)) {
				int slash = line.indexOf('/');
				if (slash < 0) {
					continue;
				}
				String path = line.substring(slash).trim();
				String file = path.substring(path.lastIndexOf('/') + 1);
				if (file.startsWith("ld-musl") || file.startsWith("libc.musl")) {
					return "musl";
				}
				if (file.equals("libc.so.6") || file.matches("libc-\\d+\\.\\d+\\.so")) {
					String version = glibcVersion(Path.of(path));
					return (version != null) ? "glibc " + version : "glibc";
				}
			}
			return "unknown";
		}
		catch (IOException | RuntimeException ex) {
			return "unknown";
		}
	}

	private static String glibcVersion(Path libcFile) throws IOException {
		if (!Files.isReadable(libcFile) || Files.size(libcFile) > 64L * 1024 * 1024) {
			return null;
		}
		String content = new String(Files.readAllBytes(libcFile), StandardCharsets.ISO_8859_1);
		int banner = content.indexOf("GNU C Library");
		if (banner < 0) {
			return null;
		}
		Matcher matcher = GLIBC_BANNER.matcher(content.substring(banner, Math.min(content.length(), banner + 512)));
		return matcher.find() ? matcher.group(1) : null;
	}

	/**
	 * The kernel's page size in bytes as this process sees it (the first
	 * {@code KernelPageSize} of {@code /proc/self/smaps}), or -1 when unknown.
	 */
	public static long pageSize() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/smaps"), StandardCharsets.ISO_8859_1)) {
				if (line.startsWith("KernelPageSize:")) {
					String[] fields = line.substring("KernelPageSize:".length()).trim().split("\\s+");
					long value = Long.parseLong(fields[0]);
					return (fields.length > 1 && fields[1].equalsIgnoreCase("kB")) ? value * 1024 : value;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// unknown
		}
		return -1;
	}

}
