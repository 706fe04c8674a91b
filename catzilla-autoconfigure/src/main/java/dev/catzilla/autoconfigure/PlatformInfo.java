package dev.catzilla.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Facts about the platform, read from the JVM and {@code /proc} (no native code, no child process). The C library
 * is found in {@code /proc/self/maps}; glibc's version comes from the banner inside {@code libc.so.6}, read once.
 */
final class PlatformInfo {

	private static final Pattern GLIBC_BANNER = Pattern.compile("GNU C Library [^\\n]*?release version (\\d+\\.\\d+)");

	private static volatile String libc;

	private PlatformInfo() {
	}

	static String os() {
		return System.getProperty("os.name") + " " + System.getProperty("os.version");
	}

	static String arch() {
		return System.getProperty("os.arch");
	}

	static String jvm() {
		return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
				+ System.getProperty("java.vm.vendor") + ")";
	}

	/** E.g. {@code glibc 2.36}, {@code musl}, or {@code unknown}. */
	static String libc() {
		String result = libc;
		if (result == null) {
			result = detectLibc(Path.of("/proc/self/maps"));
			libc = result;
		}
		return result;
	}

	static String detectLibc(Path maps) {
		try {
			if (!Files.isReadable(maps)) {
				return "unknown";
			}
			List<String> lines = Files.readAllLines(maps, StandardCharsets.ISO_8859_1);
			for (String line : lines) {
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

	static String glibcVersion(Path libcFile) throws IOException {
		if (Files.size(libcFile) > 64L * 1024 * 1024) {
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

}
