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
 * The one list of platforms Catzilla's jar carries a native library for, and how this machine is named against it.
 * The list is the platform table {@code platforms.tsv} (a resource next to this class, also read by the native build
 * scripts); the loader, the diagnostics, the Spring failure analyzer and the tests take it from here, and the docs'
 * platform matrix is checked against it. A platform is {@code <os>-<arch>}, e.g. {@code linux-x86_64}; its library is
 * {@code META-INF/native/libcatzilla_jemalloc_<os>_<arch>.so} with a {@code .sha256} next to it.
 */
public final class NativePlatform {

	/** The one platform table (also read by the native build scripts), a resource next to this class. */
	static final String TABLE = "platforms.tsv";

	private static final List<Map<String, String>> ROWS = readTable();

	/**
	 * The platforms the jar built by {@code mvn verify} on a Linux x86_64 machine carries, in the order of the
	 * platform table: {@code linux-x86_64} (built and tested natively) and {@code linux-aarch64} (cross-compiled,
	 * tested under qemu user-mode emulation).
	 */
	public static final List<String> SUPPORTED = ROWS.stream().map((row) -> row.get("platform")).toList();

	/**
	 * The oldest glibc the libraries link against: the highest {@code GLIBC_x.y} symbol version they need. The build
	 * links against Debian 12's glibc 2.36 and binds the {@code pthread_*} functions glibc 2.32/2.34 re-versioned to
	 * their old versions ({@code src/main/native/glibc-floor.h}). Asserted against the built libraries by the tests,
	 * which also run the linux-x86_64 library on Debian 11's glibc 2.31.
	 */
	public static final String MINIMUM_GLIBC = "2.17";

	private static final Pattern GLIBC_BANNER = Pattern.compile("GNU C Library [^\\n]*?release version (\\d+\\.\\d+)");

	private NativePlatform() {
	}

	/** Normalised operating system name, e.g. {@code linux}, {@code mac_os_x}, {@code windows_11}. */
	public static String os() {
		return System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
	}

	/** Normalised architecture name: the table's ({@code x86_64}, {@code aarch64}) for it or an alias, else the JVM's. */
	public static String arch() {
		String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
		for (Map<String, String> row : ROWS) {
			String own = row.get("platform").substring(row.get("platform").indexOf('-') + 1);
			if (arch.equals(own) || List.of(row.get("aliases").split(",")).contains(arch)) {
				return own;
			}
		}
		return arch.replaceAll("[^a-z0-9]+", "_");
	}

	/** One cell of the platform table ({@code null} for an unknown platform or column; "-" is empty). */
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
					throw new IllegalStateException(TABLE + ": row '" + line + "' has " + cells.length
							+ " cells, the header " + header.length);
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

	/** This machine's platform name, {@code <os>-<arch>}, e.g. {@code linux-x86_64}. */
	public static String current() {
		return os() + "-" + arch();
	}

	/** {@code true} when the jar carries a library for {@code platform}. */
	public static boolean isSupported(String platform) {
		return SUPPORTED.contains(platform);
	}

	/** The shared object's file name for {@code platform}, e.g. {@code libcatzilla_jemalloc_linux_x86_64.so}. */
	public static String fileName(String platform) {
		return "libcatzilla_jemalloc_" + platform.replace('-', '_') + ".so";
	}

	/** The list for humans: {@code linux-x86_64, linux-aarch64 (Linux with glibc 2.17 or newer)}. */
	public static String describeSupported() {
		return String.join(", ", SUPPORTED) + " (Linux with glibc " + MINIMUM_GLIBC + " or newer)";
	}

	/**
	 * This process's C library, found in {@code /proc/self/maps} (no native code): e.g. {@code glibc 2.36},
	 * {@code musl}, or {@code unknown}.
	 */
	public static String libc() {
		return detectLibc(Path.of("/proc/self/maps"));
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
	 * The kernel's page size in bytes as this process sees it (the first {@code KernelPageSize} of
	 * {@code /proc/self/smaps}), or -1 when unknown.
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
