package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one platform list, and how this machine is named and described against it. */
class NativePlatformTest {

	@TempDir
	Path dir;

	@Test
	void theListNamesBothLinuxArchitecturesForGlibcAndMuslAndTheirFiles() {
		assertThat(NativePlatform.SUPPORTED).containsExactly("linux-x86_64", "linux-aarch64", "linux-x86_64-musl",
				"linux-aarch64-musl");
		assertThat(NativePlatform.fileName("linux-aarch64")).isEqualTo("libcatzilla_jemalloc_linux_aarch64.so");
		assertThat(NativePlatform.fileName("linux-x86_64-musl")).isEqualTo("libcatzilla_jemalloc_linux_x86_64_musl.so");
		assertThat(NativePlatform.isSupported("linux-x86_64")).isTrue();
		assertThat(NativePlatform.isSupported("mac_os_x-aarch64")).isFalse();
		assertThat(NativePlatform.describeSupported()).isEqualTo("linux-x86_64, linux-aarch64 (Linux with glibc 2.17"
				+ " or newer); linux-x86_64-musl, linux-aarch64-musl (Linux with musl, e.g. Alpine)");
	}

	@Test
	void theRowIsChosenByTheCLibrarySoThatMuslNeverGetsAGlibcLibraryNorTheReverse() {
		assertThat(NativePlatform.platform("linux", "x86_64", NativePlatform.libcFamily("glibc 2.36")))
			.isEqualTo("linux-x86_64");
		assertThat(NativePlatform.platform("linux", "x86_64", NativePlatform.libcFamily("musl")))
			.isEqualTo("linux-x86_64-musl");
		assertThat(NativePlatform.platform("linux", "aarch64", NativePlatform.libcFamily("musl")))
			.isEqualTo("linux-aarch64-musl");
		assertThat(NativePlatform.platform("linux", "aarch64", NativePlatform.libcFamily("glibc")))
			.isEqualTo("linux-aarch64");
		for (String platform : NativePlatform.SUPPORTED) {
			String arch = NativePlatform.field(platform, "arch");
			String libc = NativePlatform.field(platform, "libc");
			assertThat(NativePlatform.platform("linux", arch, libc)).isEqualTo(platform);
		}
		// An unknown C library is named like glibc; the loader refuses it before loading
		// (NativeLoadFailureTest).
		assertThat(NativePlatform.libcFamily("unknown")).isNull();
		assertThat(NativePlatform.platform("linux", "x86_64", null)).isEqualTo("linux-x86_64");
		assertThat(NativeLoadFailure.libcRefusal("unknown")).isNotNull();
		// A musl machine of an architecture without a musl row gets no library, not the
		// glibc one.
		assertThat(NativePlatform.platform("linux", "riscv64", NativePlatform.MUSL)).isEqualTo("linux-riscv64-musl");
		assertThat(NativePlatform.isSupported("linux-riscv64-musl")).isFalse();
	}

	@Test
	void theListIsThePlatformTableWhichTheDocsMatrixAndTheReadmeFollow() throws Exception {
		Path module = Path.of(System.getProperty("user.dir"));
		Path table = module.resolve("src/main/resources/dev/catzilla/allocator/platforms.tsv");
		List<String> rows = Files.readAllLines(table)
			.stream()
			.filter((line) -> !line.startsWith("#") && !line.isBlank())
			.skip(1)
			.map((line) -> line.split("\t")[0])
			.toList();
		assertThat(NativePlatform.SUPPORTED).isEqualTo(rows);
		assertThat(NativePlatform.field("linux-aarch64", "lg_page")).isEqualTo("16");
		assertThat(NativePlatform.field("linux-x86_64", "lg_vaddr")).isEmpty();
		assertThat(NativePlatform.field("linux-ppc64le", "triplet")).isNull();
		assertThat(NativePlatform.field("linux-aarch64-musl", "triplet")).isEqualTo("aarch64-linux-musl");
		for (Path doc : List.of(module.resolve("../docs/native.md"), module.resolve("../README.md"))) {
			List<String> matrix = Files.readAllLines(doc)
				.stream()
				.filter((line) -> line.startsWith("| linux-"))
				.toList();
			assertThat(matrix).as("the platform matrix of %s: one row per platform of the table", doc)
				.map((line) -> line.substring(2, line.indexOf(',')))
				.containsExactlyElementsOf(rows);
			for (String line : matrix) {
				String platform = line.substring(2, line.indexOf(','));
				if (NativePlatform.MUSL.equals(NativePlatform.field(platform, "libc"))) {
					assertThat(line).as("%s says that its musl library never ran in a JVM", doc)
						.containsIgnoringCase("no musl JVM");
				}
			}
		}
	}

	@Test
	void thisMachineIsNamedAsTheLoaderNamesIt() {
		NativeTestSupport.requireNativeLibrary();
		assertThat(NativePlatform.current()).isIn(NativePlatform.SUPPORTED).isEqualTo(NativeLibraryLoader.platform());
		assertThat(NativeLibraryLoader.fileName()).isEqualTo(NativePlatform.fileName(NativePlatform.current()));
		long pageSize = NativePlatform.pageSize();
		assertThat(pageSize).isIn(4096L, 16384L, 65536L);
		assertThat(NativePlatform.libc()).matches("glibc 2\\.\\d+");
	}

	@Test
	void libcIsFoundInTheMapsOfAProcess() throws Exception {
		Path maps = this.dir.resolve("maps");
		Files.writeString(maps, "7f00-7f01 r--p 00000000 00:00 0 /lib/ld-musl-x86_64.so.1\n");
		assertThat(NativePlatform.detectLibc(maps)).isEqualTo("musl");
		Path fakeLibc = this.dir.resolve("libc.so.6");
		Files.writeString(fakeLibc, "\0\0GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\n");
		Files.writeString(maps, "7f00-7f01 r--p 00000000 00:00 0 " + fakeLibc + "\n");
		assertThat(NativePlatform.detectLibc(maps)).isEqualTo("glibc 2.36");
		Files.writeString(maps, "7f00-7f01 r--p 00000000 00:00 0 [heap]\n");
		assertThat(NativePlatform.detectLibc(maps)).isEqualTo("unknown");
		assertThat(NativePlatform.detectLibc(this.dir.resolve("absent"))).isEqualTo("unknown");
	}

}
