import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Run by every published module's build in the verify phase (see the parent pom, "legal-files-in-jar"): opens the
 * built jar and fails the build unless META-INF/LICENSE and META-INF/NOTICE are the repository's LICENSE and NOTICE,
 * byte for byte, and NOTICE names jemalloc. With --jemalloc &lt;jemalloc.sh&gt; (the allocator) the jar must also
 * carry META-INF/LICENSE-jemalloc equal to COPYING inside the source tarball pinned in jemalloc.sh (its SHA-256
 * checked first), and each native library the SHA-256 recorded in its .sha256 entry.
 *
 * <p>Usage: java CheckJarLegal.java &lt;jar&gt; &lt;repository root&gt; [--jemalloc &lt;jemalloc.sh&gt;]
 */
public class CheckJarLegal {

	public static void main(String[] args) throws Exception {
		if (args.length != 2 && !(args.length == 4 && args[2].equals("--jemalloc"))) {
			throw new IllegalArgumentException("usage: CheckJarLegal <jar> <repository root> [--jemalloc <jemalloc.sh>]");
		}
		Path jar = Path.of(args[0]);
		Path root = Path.of(args[1]);
		List<String> problems = new ArrayList<>();
		if (!Files.isRegularFile(jar)) {
			fail(jar, List.of("the jar does not exist (was it packaged?)"));
		}
		try (ZipFile zip = new ZipFile(jar.toFile())) {
			byte[] license = entry(zip, "META-INF/LICENSE", problems);
			byte[] notice = entry(zip, "META-INF/NOTICE", problems);
			if (license != null && !Arrays.equals(license, Files.readAllBytes(root.resolve("LICENSE")))) {
				problems.add("META-INF/LICENSE differs from " + root.resolve("LICENSE"));
			}
			if (notice != null) {
				if (!Arrays.equals(notice, Files.readAllBytes(root.resolve("NOTICE")))) {
					problems.add("META-INF/NOTICE differs from " + root.resolve("NOTICE"));
				}
				if (!new String(notice, StandardCharsets.UTF_8).contains("jemalloc")) {
					problems.add("META-INF/NOTICE does not name jemalloc");
				}
			}
			if (args.length == 4) {
				nativeLibraries(zip, problems);
				byte[] jemallocLicense = entry(zip, "META-INF/LICENSE-jemalloc", problems);
				if (jemallocLicense != null) {
					byte[] copying = jemallocCopying(Path.of(args[3]));
					if (!Arrays.equals(jemallocLicense, copying)) {
						problems.add("META-INF/LICENSE-jemalloc differs from COPYING in the pinned jemalloc tarball");
					}
				}
			}
		}
		if (!problems.isEmpty()) {
			fail(jar, problems);
		}
		System.out.println("catzilla: " + jar.getFileName() + ": META-INF/LICENSE, META-INF/NOTICE"
				+ (args.length == 4 ? ", META-INF/LICENSE-jemalloc (= the pinned tarball's COPYING)" : "") + " present");
	}

	/**
	 * Each META-INF/native/*.so must be there with the SHA-256 recorded next to it (.sha256, which the loader checks
	 * at run time); the build log then lists them, for comparing with a downloaded or rebuilt jar (docs/release.md).
	 */
	private static void nativeLibraries(ZipFile zip, List<String> problems) throws Exception {
		List<? extends ZipEntry> libraries = zip.stream()
			.filter(e -> e.getName().startsWith("META-INF/native/") && e.getName().endsWith(".so"))
			.toList();
		if (libraries.isEmpty()) {
			problems.add("no META-INF/native/*.so, yet jemalloc's license is required: the jar links jemalloc");
		}
		for (ZipEntry library : libraries) {
			String actual;
			try (InputStream in = zip.getInputStream(library)) {
				actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
			}
			byte[] recorded = entry(zip, library.getName() + ".sha256", problems);
			if (recorded != null && !new String(recorded, StandardCharsets.US_ASCII).trim().equals(actual)) {
				problems.add(library.getName() + " has SHA-256 " + actual + ", its .sha256 records "
						+ new String(recorded, StandardCharsets.US_ASCII).trim());
			}
			System.out.println("catzilla: " + library.getName() + " SHA-256 " + actual);
		}
	}

	private static void fail(Path jar, List<String> problems) {
		System.err.println("catzilla: " + jar + " is not releasable:");
		problems.forEach(p -> System.err.println("  - " + p));
		System.exit(1);
	}

	private static byte[] entry(ZipFile zip, String name, List<String> problems) throws IOException {
		ZipEntry e = zip.getEntry(name);
		if (e == null) {
			problems.add("no " + name);
			return null;
		}
		try (InputStream in = zip.getInputStream(e)) {
			return in.readAllBytes();
		}
	}

	/** COPYING from the tarball pinned in jemalloc.sh, after checking the tarball's SHA-256 against the pin. */
	private static byte[] jemallocCopying(Path jemallocSh) throws Exception {
		String script = Files.readString(jemallocSh);
		String version = pin(script, "JEMALLOC_VERSION");
		String tarballName = pin(script, "JEMALLOC_TARBALL");
		String sha256 = pin(script, "JEMALLOC_SHA256");
		String source = System.getenv("JEMALLOC_SOURCE");
		Path tarball = source != null && !source.isEmpty() ? Path.of(source)
				: cacheDir().resolve("downloads").resolve(tarballName);
		String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(tarball)));
		if (!actual.equals(sha256)) {
			throw new IllegalStateException(tarball + ": SHA-256 " + actual + ", the pin in jemalloc.sh is " + sha256);
		}
		Process tar = new ProcessBuilder("tar", "-xjOf", tarball.toString(), "jemalloc-" + version + "/COPYING")
				.redirectError(ProcessBuilder.Redirect.INHERIT).start();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (InputStream in = tar.getInputStream()) {
			in.transferTo(out);
		}
		if (tar.waitFor() != 0 || out.size() == 0) {
			throw new IllegalStateException("could not read jemalloc-" + version + "/COPYING from " + tarball);
		}
		return out.toByteArray();
	}

	private static String pin(String script, String name) {
		Matcher m = Pattern.compile("(?m)^" + name + "=(\\S+)$").matcher(script);
		if (!m.find()) {
			throw new IllegalStateException("no " + name + "= in jemalloc.sh");
		}
		return m.group(1);
	}

	/** As catzilla_cache_dir in apt-private.sh. */
	private static Path cacheDir() {
		String xdg = System.getenv("XDG_CACHE_HOME");
		if (xdg != null && !xdg.isEmpty()) {
			return Path.of(xdg, "catzilla");
		}
		String home = System.getenv("HOME");
		if (home != null && !home.isEmpty()) {
			return Path.of(home, ".cache", "catzilla");
		}
		return Path.of(System.getProperty("java.io.tmpdir"), "catzilla-cache-" + uid());
	}

	private static String uid() {
		try {
			return new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).trim();
		} catch (IOException e) {
			return "0";
		}
	}
}
