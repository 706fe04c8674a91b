package dev.catzilla.allocator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Finds and loads {@code libcatzilla_jemalloc_<platform>.so} ({@code <os>_<arch>} for
 * glibc, {@code <os>_<arch>_musl} for musl: the C library is detected first,
 * {@link NativePlatform#current()}), in the manner of Netty's
 * {@code NativeLibraryLoader}: {@code System.loadLibrary} ({@code java.library.path})
 * first, else the copy shipped in the jar under {@code META-INF/native/}, extracted into
 * a fresh owner-only temporary directory and checked against the SHA-256 packaged next to
 * it before {@code System.load}. The extracted file and its directory are deleted right
 * after loading (Linux keeps the mapping; nothing is left behind even if the JVM is
 * killed later).
 * <p>
 * One copy per JVM: the library is linked {@code -z nodelete}, so it stays mapped even
 * after the class loader that loaded it is collected (jemalloc's background threads and
 * memory live in it), and the first class loader that loads it claims it in the JVM-wide
 * system property {@value #OWNER_PROPERTY}. Another class loader (a plugin's, a restart
 * class loader, an isolated test class loader) that loads these classes again gets the
 * library as unavailable, with a cause that names both class loaders, instead of a
 * second, separate jemalloc heap.
 * <p>
 * System properties: {@code catzilla.native.disabled=true} (do not load),
 * {@code catzilla.native.workdir} (parent of the temporary directory, default
 * {@code java.io.tmpdir}; use it when the temporary directory is mounted {@code noexec}).
 */
final class NativeLibraryLoader {

	static final String DISABLED_PROPERTY = "catzilla.native.disabled";

	static final String WORKDIR_PROPERTY = "catzilla.native.workdir";

	static final String RESOURCE_DIR = "META-INF/native/";

	/**
	 * JVM-wide claim of the class loader that loaded the library (a system property, set
	 * by this class).
	 */
	static final String OWNER_PROPERTY = "catzilla.native.loadedBy";

	/** Where a library came from when it was found on {@code java.library.path}. */
	static final String LIBRARY_PATH_LOCATION = "java.library.path";

	private NativeLibraryLoader() {
	}

	/**
	 * Normalised operating system name, e.g. {@code linux} (see
	 * {@link NativePlatform#os()}).
	 */
	static String os() {
		return NativePlatform.os();
	}

	/**
	 * Normalised architecture name, e.g. {@code x86_64} (see
	 * {@link NativePlatform#arch()}).
	 */
	static String arch() {
		return NativePlatform.arch();
	}

	/**
	 * This process's platform: {@code <os>-<arch>} on glibc, {@code <os>-<arch>-musl} on
	 * musl (see {@link NativePlatform}).
	 */
	static String platform() {
		return NativePlatform.current();
	}

	/**
	 * The library name for {@code System.loadLibrary}, e.g.
	 * {@code catzilla_jemalloc_linux_x86_64}.
	 */
	static String libraryName() {
		return NativePlatform.libraryName(platform());
	}

	/**
	 * The shared object's file name, e.g. {@code libcatzilla_jemalloc_linux_x86_64.so}.
	 */
	static String fileName() {
		return System.mapLibraryName(libraryName());
	}

	static boolean isSupportedPlatform() {
		return NativePlatform.isSupported(platform());
	}

	/**
	 * Loads the library and returns where it came from ({@link #LIBRARY_PATH_LOCATION} or
	 * the extracted file's absolute path).
	 * @throws UnsatisfiedLinkError with a message that names the platform and what to do,
	 * and the underlying failures as cause and suppressed exceptions
	 */
	static String load(ClassLoader loader) {
		if (Boolean.getBoolean(DISABLED_PROPERTY)) {
			throw new UnsatisfiedLinkError("Catzilla's native library is disabled on purpose by the system property "
					+ DISABLED_PROPERTY + "=true (remove it to use jemalloc)");
		}
		if (!isSupportedPlatform()) {
			throw new UnsatisfiedLinkError("Catzilla has no native library for platform " + platform() + " (built for "
					+ NativePlatform.describeSupported() + "). Netty's own allocator"
					+ " keeps working; set catzilla.allocator=malloc to stop looking for jemalloc.");
		}
		String libcRefusal = NativeLoadFailure.libcRefusal(NativePlatform.libc());
		if (libcRefusal != null) {
			throw new UnsatisfiedLinkError("Catzilla's native library for " + platform() + " is not loaded: "
					+ libcRefusal + ". Netty's own allocator keeps working; set catzilla.allocator=malloc to stop"
					+ " looking for jemalloc.");
		}
		String owner = describe(loader);
		Object claimed = System.getProperties().putIfAbsent(OWNER_PROPERTY, owner);
		if (claimed != null) {
			throw new UnsatisfiedLinkError("Catzilla's native library is already loaded in this JVM by another class"
					+ " loader (" + claimed + "); this one (" + owner + ") does not load a second copy, which would be"
					+ " a second, separate jemalloc heap. Put catzilla-allocator-jni on a class path that every user of"
					+ " it shares (e.g. the application class loader, not a plugin's or a restart class loader).");
		}
		boolean loaded = false;
		try {
			String location = loadLibrary(loader);
			loaded = true;
			return location;
		}
		finally {
			if (!loaded) {
				System.getProperties().remove(OWNER_PROPERTY, owner);
			}
		}
	}

	/**
	 * A class loader's class, name and identity, e.g.
	 * {@code java.net.URLClassLoader 'plugin'@1b6d3586}.
	 */
	static String describe(ClassLoader loader) {
		if (loader == null) {
			return "the bootstrap class loader";
		}
		String name = (loader.getName() != null) ? " '" + loader.getName() + "'" : "";
		return loader.getClass().getName() + name + "@" + Integer.toHexString(System.identityHashCode(loader));
	}

	private static String loadLibrary(ClassLoader loader) {
		UnsatisfiedLinkError fromLibraryPath;
		try {
			System.loadLibrary(libraryName());
			return LIBRARY_PATH_LOCATION;
		}
		catch (UnsatisfiedLinkError ex) {
			fromLibraryPath = ex;
		}
		catch (IllegalCallerException ex) {
			throw NativeLoadFailure.nativeAccessRefused(ex);
		}
		try {
			return extractAndLoad(loader);
		}
		catch (IllegalCallerException ex) {
			throw NativeLoadFailure.nativeAccessRefused(ex);
		}
		catch (Throwable ex) {
			String hint = (ex instanceof UnsatisfiedLinkError)
					? " (if the temporary directory is mounted noexec, set " + WORKDIR_PROPERTY
							+ " to a directory that allows executables, or put the library on java.library.path)"
					: "";
			UnsatisfiedLinkError error = new UnsatisfiedLinkError(
					"Could not load Catzilla's native library " + fileName() + " for " + platform() + ": "
							+ ex.getMessage() + hint + ". See docs/native.md (troubleshooting).");
			error.initCause(ex);
			error.addSuppressed(fromLibraryPath);
			throw error;
		}
	}

	private static String extractAndLoad(ClassLoader loader) throws IOException {
		String resource = RESOURCE_DIR + fileName();
		URL library = loader.getResource(resource);
		if (library == null) {
			throw new IOException("resource " + resource + " is not on the class path (was the jar built on "
					+ platform() + " with the native build?)");
		}
		URL checksum = loader.getResource(resource + ".sha256");
		if (checksum == null) {
			throw new IOException("resource " + resource + ".sha256 (its packaged checksum) is missing");
		}
		String expected;
		try (InputStream in = checksum.openStream()) {
			expected = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
		}
		Path parent = workDirectory();
		checkWorkDirectory(parent, MOUNTS);
		Path file;
		try (InputStream in = library.openStream()) {
			file = extract(in, expected, parent, fileName());
		}
		Path dir = file.getParent();
		try {
			System.load(file.toAbsolutePath().toString());
		}
		finally {
			// Linux keeps the mapping of a loaded library; deleting now leaves nothing
			// behind on any exit.
			deleteOrDeleteOnExit(file);
			deleteOrDeleteOnExit(dir);
		}
		return file.toAbsolutePath().toString();
	}

	private static Path workDirectory() {
		String workdir = System.getProperty(WORKDIR_PROPERTY);
		return Paths.get(workdir != null && !workdir.isBlank() ? workdir : System.getProperty("java.io.tmpdir"));
	}

	/** The kernel's table of mounts of this process (Linux). */
	static final Path MOUNTS = Paths.get("/proc/self/mounts");

	/**
	 * Says, before anything is written, what is wrong with the directory the library
	 * would be extracted under: not a directory, cannot be created, not writable, or on a
	 * file system mounted {@code noexec} (where the library could be written but never
	 * mapped executable).
	 * @param mounts the mount table to look {@code dir} up in ({@code /proc/self/mounts};
	 * skipped if unreadable)
	 */
	static void checkWorkDirectory(Path dir, Path mounts) throws IOException {
		String what = WORKDIR_PROPERTY + " (or java.io.tmpdir) = " + dir;
		if (Files.exists(dir) && !Files.isDirectory(dir)) {
			throw new IOException(what + " is not a directory; set " + WORKDIR_PROPERTY + " to a directory");
		}
		try {
			Files.createDirectories(dir);
		}
		catch (IOException ex) {
			throw new IOException(what + " does not exist and cannot be created (" + ex + ")", ex);
		}
		if (!Files.isWritable(dir)) {
			throw new IOException(
					what + " is not writable by this user; set " + WORKDIR_PROPERTY + " to a writable directory");
		}
		String noexec = noexecMountPoint(dir.toRealPath(), mounts);
		if (noexec != null) {
			throw new IOException(what + " is on a file system mounted noexec (mount point " + noexec
					+ "): a library there cannot be mapped executable; set " + WORKDIR_PROPERTY
					+ " to a directory on a file system that allows executables");
		}
	}

	/**
	 * The mount point of the file system that holds {@code dir} if that file system is
	 * mounted {@code noexec}, else {@code null} (also when the mount table cannot be
	 * read).
	 */
	static String noexecMountPoint(Path dir, Path mounts) {
		List<String> lines;
		try {
			lines = Files.readAllLines(mounts, StandardCharsets.UTF_8);
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
		String best = null;
		boolean bestNoexec = false;
		for (String line : lines) {
			String[] fields = line.split(" ");
			if (fields.length < 4) {
				continue;
			}
			String mountPoint = unescape(fields[1]);
			if (dir.startsWith(Paths.get(mountPoint)) && (best == null || mountPoint.length() >= best.length())) {
				best = mountPoint;
				bestNoexec = List.of(fields[3].split(",")).contains("noexec");
			}
		}
		return bestNoexec ? best : null;
	}

	/** Undoes the octal escapes of the mount table ({@code \040} for a space, ...). */
	private static String unescape(String field) {
		StringBuilder out = new StringBuilder(field.length());
		for (int i = 0; i < field.length(); i++) {
			char c = field.charAt(i);
			if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
				out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
				i += 3;
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}

	/**
	 * Copies {@code library} into a new owner-only ({@code rwx------}) directory with an
	 * unpredictable name under {@code parent}, checks the written file's SHA-256 against
	 * {@code expectedSha256} and returns it. On a mismatch or any failure nothing is left
	 * behind and an {@link IOException} says why.
	 */
	static Path extract(InputStream library, String expectedSha256, Path parent, String fileName) throws IOException {
		if (expectedSha256 == null || !expectedSha256.matches("[0-9a-f]{64}")) {
			throw new IOException(
					"packaged checksum of " + fileName + " is not a SHA-256 hex string: '" + expectedSha256 + "'");
		}
		Files.createDirectories(parent);
		Path dir = Files.createTempDirectory(parent, "catzilla-",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Path file = dir.resolve(fileName);
		boolean ok = false;
		try {
			try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
					StandardOpenOption.WRITE)) {
				library.transferTo(out);
			}
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
			String actual = sha256(file);
			if (!actual.equals(expectedSha256)) {
				throw new IOException("checksum mismatch for " + fileName + ": SHA-256 " + actual
						+ " but the packaged checksum says " + expectedSha256 + "; refusing to load it");
			}
			ok = true;
			return file;
		}
		finally {
			if (!ok) {
				Files.deleteIfExists(file);
				Files.deleteIfExists(dir);
			}
		}
	}

	static String sha256(Path file) throws IOException {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IOException("SHA-256 is not available", ex);
		}
		try (InputStream in = Files.newInputStream(file)) {
			byte[] buffer = new byte[64 * 1024];
			int n;
			while ((n = in.read(buffer)) > 0) {
				digest.update(buffer, 0, n);
			}
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	private static void deleteOrDeleteOnExit(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException | RuntimeException ex) {
			path.toFile().deleteOnExit();
		}
	}

}
