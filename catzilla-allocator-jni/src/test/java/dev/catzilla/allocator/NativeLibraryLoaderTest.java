package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding, extracting, verifying and loading the library; and every way it can be
 * unavailable.
 */
class NativeLibraryLoaderTest {

	private static final String RESOURCE = "META-INF/native/libcatzilla_jemalloc_linux_x86_64.so";

	@TempDir
	Path parent;

	@Test
	void extractionWritesAVerifiedCopyIntoAnOwnerOnlyDirectory() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		String expected = packagedChecksum();
		Path file;
		try (InputStream in = resource(RESOURCE)) {
			file = NativeLibraryLoader.extract(in, expected, this.parent, "libcatzilla_jemalloc_linux_x86_64.so");
		}
		Path dir = file.getParent();
		assertThat(dir.getParent()).isEqualTo(this.parent);
		assertThat(dir.getFileName().toString()).startsWith("catzilla-").hasSizeGreaterThan("catzilla-".length() + 8);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rwx------");
		assertThat(NativeLibraryLoader.sha256(file)).isEqualTo(expected);
	}

	@Test
	void twoExtractionsNeverShareADirectory() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		byte[] content = "not really a library".getBytes(StandardCharsets.UTF_8);
		String checksum = sha256(content);
		Path first = NativeLibraryLoader.extract(new ByteArrayInputStream(content), checksum, this.parent, "lib.so");
		Path second = NativeLibraryLoader.extract(new ByteArrayInputStream(content), checksum, this.parent, "lib.so");
		assertThat(first.getParent()).isNotEqualTo(second.getParent());
	}

	@Test
	void aLibraryThatDoesNotMatchItsChecksumIsRefusedAndNothingIsLeftBehind() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		String expected = packagedChecksum();
		byte[] tampered;
		try (InputStream in = resource(RESOURCE)) {
			tampered = in.readAllBytes();
		}
		tampered[tampered.length / 2] ^= 0x01;
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> NativeLibraryLoader.extract(new ByteArrayInputStream(tampered), expected, this.parent,
					"libcatzilla_jemalloc_linux_x86_64.so"))
			.withMessageContaining("checksum mismatch")
			.withMessageContaining(expected)
			.withMessageContaining("refusing");
		try (var left = Files.list(this.parent)) {
			assertThat(left).isEmpty();
		}
	}

	@Test
	void aChecksumThatIsNotSha256IsRefused() {
		NativeTestSupport.requireLinuxX86_64();
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> NativeLibraryLoader.extract(new ByteArrayInputStream(new byte[1]), "deadbeef",
					this.parent, "lib.so"))
			.withMessageContaining("not a SHA-256");
	}

	@Test
	void aClassPathWithoutTheLibraryMakesLoadingFailWithThePlatformAndResourceNamed() throws Exception {
		NativeTestSupport.requireLinuxX86_64();
		// This JVM's Jemalloc may have claimed the library already: lift the claim for
		// this one call.
		Object claim = System.getProperties().remove(NativeLibraryLoader.OWNER_PROPERTY);
		try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
			assertThatThrownBy(() -> NativeLibraryLoader.load(empty)).isInstanceOf(UnsatisfiedLinkError.class)
				.hasMessageContaining("linux-x86_64")
				.hasMessageContaining(RESOURCE)
				.hasMessageContaining("docs/native.md");
			assertThat(System.getProperty(NativeLibraryLoader.OWNER_PROPERTY)).as("a failed load gives its claim back")
				.isNull();
		}
		finally {
			if (claim != null) {
				System.getProperties().put(NativeLibraryLoader.OWNER_PROPERTY, claim);
			}
		}
	}

	@Test
	void aWorkDirectoryThatIsARegularFileIsNamedAsNotADirectory() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		Path file = Files.writeString(this.parent.resolve("a-file"), "x");
		ForkedJvm.Result result = ForkedJvm.probe().jvmArgs("-Dcatzilla.native.workdir=" + file).run("load");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).isEqualTo("false");
		assertThat(result.get("cause")).contains("catzilla.native.workdir (or java.io.tmpdir) = " + file)
			.contains("is not a directory");
	}

	@Test
	void aWorkDirectoryThatCannotBeCreatedSaysSo() throws Exception {
		Path file = Files.writeString(this.parent.resolve("a-file"), "x");
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> NativeLibraryLoader.checkWorkDirectory(file.resolve("sub"), NativeLibraryLoader.MOUNTS))
			.withMessageContaining("does not exist and cannot be created");
	}

	@Test
	void aWorkDirectoryOnANoexecFileSystemIsRefusedBeforeAnythingIsWritten() throws Exception {
		Path dir = Files.createDirectories(this.parent.resolve("work")).toRealPath();
		Path mounts = Files.writeString(this.parent.resolve("mounts"), "/dev/root / ext4 rw,relatime 0 0\n" + "tmpfs "
				+ this.parent.toRealPath() + " tmpfs rw,nosuid,nodev,noexec,relatime 0 0\n");
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> NativeLibraryLoader.checkWorkDirectory(dir, mounts))
			.withMessageContaining("mounted noexec (mount point " + this.parent.toRealPath() + ")")
			.withMessageContaining("catzilla.native.workdir");
		try (var left = Files.list(dir)) {
			assertThat(left).isEmpty();
		}
	}

	@Test
	void theMountTableIsReadWithItsEscapesAndTheLongestMountPointWins() throws Exception {
		Path mounts = Files.writeString(this.parent.resolve("mounts"),
				String.join("\n", "/dev/root / ext4 rw,noexec 0 0", "tmpfs /tmp tmpfs rw,nosuid 0 0",
						"tmpfs /tmp/no\\040exec tmpfs rw,noexec 0 0", "short line"));
		assertThat(NativeLibraryLoader.noexecMountPoint(Path.of("/tmp/x"), mounts)).isNull();
		assertThat(NativeLibraryLoader.noexecMountPoint(Path.of("/tmp/no exec/x"), mounts)).isEqualTo("/tmp/no exec");
		assertThat(NativeLibraryLoader.noexecMountPoint(Path.of("/home/x"), mounts)).isEqualTo("/");
		assertThat(NativeLibraryLoader.noexecMountPoint(Path.of("/tmp/x"), this.parent.resolve("missing"))).isNull();
	}

	@Test
	void disabledOnPurposeIsUnavailableWithThePropertyAsCause() throws Exception {
		NativeTestSupport.requireLinuxX86_64();
		ForkedJvm.Result result = ForkedJvm.probe().jvmArgs("-Dcatzilla.native.disabled=true").run("load", "ensure");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).isEqualTo("false");
		assertThat(result.get("cause")).contains("catzilla.native.disabled=true").contains("on purpose");
		assertThat(result.get("location")).isEqualTo("null");
		assertThat(result.get("platform")).isEqualTo("linux-x86_64");
		assertThat(result.get("ensure")).startsWith("java.lang.UnsatisfiedLinkError")
			.contains("catzilla.native.disabled=true");
		assertThat(result.get("ensureCause")).isEqualTo("true");
		assertThat(result.stdout()).doesNotContain("loadLibrary");
	}

	@Test
	void anUnsupportedArchitectureIsUnavailableWithoutAnExceptionAtClassLoad() throws Exception {
		NativeTestSupport.requireLinuxX86_64();
		ForkedJvm.Result result = ForkedJvm.probe().jvmArgs("-Dos.arch=sparcv9").run("load", "ensure");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).isEqualTo("false");
		assertThat(result.get("platform")).isEqualTo("linux-sparcv9");
		assertThat(result.get("cause")).contains("no native library for platform linux-sparcv9")
			.contains("catzilla.allocator=malloc");
	}

	@Test
	void aJdkThatDeniesNativeAccessLeavesJemallocUnavailableWithThatCauseAndItsFix() throws Exception {
		NativeTestSupport.requireLinuxX86_64();
		Path temurin = Path
			.of(System.getProperty("catzilla.test.temurin25.java", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));
		assertThat(temurin).as("Temurin 25 (-Dcatzilla.temurin25.java)").isExecutable();
		ForkedJvm.Result result = ForkedJvm.probe().java(temurin).jvmArgs("--illegal-native-access=deny").run("load");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).isEqualTo("false");
		assertThat(result.get("cause"))
			.contains("refuses native access", "--enable-native-access=ALL-UNNAMED",
					"Enable-Native-Access: ALL-UNNAMED")
			.doesNotContain("noexec");
		ForkedJvm.Result diagnostics = ForkedJvm.main(Diagnostics.class)
			.java(temurin)
			.jvmArgs("--illegal-native-access=deny")
			.run();
		assertThat(diagnostics.exitCode()).as(diagnostics.describe()).isEqualTo(Diagnostics.UNAVAILABLE);
		assertThat(diagnostics.stdout()).as(diagnostics.describe())
			.contains("fix: The JVM refuses native access: start the JVM with --enable-native-access=ALL-UNNAMED")
			.doesNotContain("noexec");
	}

	@Test
	void aarch64LooksForItsOwnLibraryByName() throws Exception {
		NativeTestSupport.requireLinuxX86_64();
		ForkedJvm.Result result = ForkedJvm.probe().jvmArgs("-Dos.arch=aarch64").run("load");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("platform")).isEqualTo("linux-aarch64");
		assertThat(result.get("available")).isEqualTo("false");
		assertThat(result.get("cause")).contains("/libcatzilla_jemalloc_linux_aarch64.so");
		if (NativeTestSupport.platformsInJar().contains("linux-aarch64")) {
			// The jar carries the cross-built aarch64 library: it is found, extracted,
			// checked and handed to the
			// x86_64 JVM, which refuses it (the real aarch64 run is
			// Aarch64EmulationTest).
			assertThat(result.get("cause")).contains("can't load AARCH64 .so on a AMD 64 platform");
		}
	}

	@Test
	void theLibraryPathIsTriedFirst() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		String nativeDir = System.getProperty("catzilla.test.nativeDir");
		assertThat(nativeDir).as("system property catzilla.test.nativeDir (set by the pom)").isNotNull();
		ForkedJvm.Result result = ForkedJvm.probe().jvmArgs("-Djava.library.path=" + nativeDir).run("load");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).isEqualTo("true");
		assertThat(result.get("location")).isEqualTo("java.library.path");
	}

	@Test
	void theExtractedCopyIsDeletedRightAfterLoading() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		ForkedJvm.Result result = ForkedJvm.probe()
			.jvmArgs("-Dcatzilla.native.workdir=" + this.parent.toAbsolutePath())
			.run("load");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).isEqualTo("true");
		assertThat(result.get("location")).startsWith(this.parent.toAbsolutePath() + "/catzilla-");
		try (var left = Files.list(this.parent)) {
			assertThat(left).isEmpty();
		}
	}

	@Test
	void aJarWhoseLibraryDoesNotMatchItsChecksumLeavesJemallocUnavailableWithTheReason() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		byte[] library;
		try (InputStream in = resource(RESOURCE)) {
			library = in.readAllBytes();
		}
		library[library.length / 2] ^= 0x01;
		Path classes = fakeClassPathEntry(library, packagedChecksum());
		ForkedJvm.Result result = ForkedJvm.probe().classPathFirst(classes).run("load");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).isEqualTo("false");
		assertThat(result.get("cause")).contains("java.lang.UnsatisfiedLinkError")
			.contains("linux-x86_64")
			.contains("checksum mismatch");
	}

	@Test
	void aLibraryThatFailsToLoadLeavesJemallocUnavailableWithTheLoadersMessage() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		byte[] notElf = "this is not a shared object\n".repeat(200).getBytes(StandardCharsets.UTF_8);
		Path classes = fakeClassPathEntry(notElf, sha256(notElf));
		ForkedJvm.Result result = ForkedJvm.probe().classPathFirst(classes).run("load", "ensure");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).isEqualTo("false");
		assertThat(result.get("cause")).contains("Could not load Catzilla's native library")
			.contains("linux-x86_64")
			.containsIgnoringCase("ELF")
			.contains("catzilla.native.workdir");
		assertThat(result.get("ensure")).startsWith("java.lang.UnsatisfiedLinkError");
	}

	/**
	 * A class path directory with its own META-INF/native library and checksum, to put
	 * ahead of the real one.
	 */
	private Path fakeClassPathEntry(byte[] library, String checksum) throws IOException {
		Path classes = this.parent.resolve("classes");
		Path nativeDir = Files.createDirectories(classes.resolve("META-INF/native"));
		Files.write(nativeDir.resolve("libcatzilla_jemalloc_linux_x86_64.so"), library);
		Files.writeString(nativeDir.resolve("libcatzilla_jemalloc_linux_x86_64.so.sha256"), checksum + "\n");
		return classes;
	}

	private static InputStream resource(String name) throws IOException {
		URL url = NativeLibraryLoaderTest.class.getClassLoader().getResource(name);
		assertThat(url).as(name + " on the test class path").isNotNull();
		return url.openStream();
	}

	private static String packagedChecksum() throws IOException {
		try (InputStream in = resource(RESOURCE + ".sha256")) {
			return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
		}
	}

	private static String sha256(byte[] content) throws Exception {
		return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
	}

}
