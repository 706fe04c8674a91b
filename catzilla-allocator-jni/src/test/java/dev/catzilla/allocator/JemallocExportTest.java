package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * What each built shared object ({@link NativePlatform#SUPPORTED}: the host's, the
 * cross-built linux-aarch64 one and the two musl ones) exposes to the process and how it
 * is linked: only the JNI entry points; no allocator symbols; dlopen-safe TLS; never
 * unloaded; the C library it needs (glibc: nothing newer than the floor; musl: its
 * libc.so alone, no glibc symbol version). Host binutils read both architectures' ELF
 * files.
 */
class JemallocExportTest {

	static final List<String> PLATFORMS = NativePlatform.SUPPORTED;

	private Path library;

	private void findBuiltLibrary(String platform) {
		NativeTestSupport.requireLinuxX86_64();
		if ("qemu".equals(NativePlatform.field(platform, "tested"))) {
			// fails with the reason when this build made no linux-aarch64 library
			Aarch64Emulation.require();
		}
		this.library = Paths.get(System.getProperty("catzilla.test.nativeDir", "target/classes/META-INF/native"),
				NativePlatform.fileName(platform));
		assertThat(this.library).as("the native build's output").isRegularFile();
		String machine = NativePlatform.field(platform, "elf");
		assertThat(runQuietly("readelf", "-hW", this.library.toString())).containsPattern("Machine:.*" + machine);
	}

	@ParameterizedTest
	@FieldSource("PLATFORMS")
	void onlyJniOnLoadAndJniOnUnloadAreExported(String platform) throws Exception {
		findBuiltLibrary(platform);
		List<String> exported = definedDynamicSymbols();
		assertThat(exported).containsExactlyInAnyOrder("JNI_OnLoad", "JNI_OnUnload");
		assertThat(exported).doesNotContain("malloc", "free", "calloc", "realloc", "mallocx", "sdallocx", "mallctl",
				"catzilla_je_mallocx", "catzilla_je_malloc_conf");
		assertThat(exported)
			.noneMatch((symbol) -> symbol.contains("je_") || symbol.contains("jemalloc") || symbol.startsWith("Java_"));
	}

	@ParameterizedTest
	@FieldSource("PLATFORMS")
	void libraryIsLinkedForDlopenWithNowBindingAndNoExecutableStack(String platform) throws Exception {
		findBuiltLibrary(platform);
		String dynamic = run("readelf", "-dW", this.library.toString());
		assertThat(dynamic).as("no static TLS: loadable with System.load").doesNotContain("STATIC_TLS");
		assertThat(dynamic).contains("BIND_NOW");
		assertThat(dynamic).as("never unmapped by dlclose while jemalloc's background threads run in it")
			.containsPattern("FLAGS_1\\).*NODELETE");
		assertThat(dynamic).doesNotContain("libjemalloc");
		String segments = run("readelf", "-lW", this.library.toString());
		String stack = segments.lines().filter((line) -> line.contains("GNU_STACK")).findFirst().orElseThrow();
		assertThat(stack.trim()).endsWith("RW  0x10");
		assertThat(segments).contains("GNU_RELRO");
		String relocations = run("readelf", "-rW", this.library.toString());
		assertThat(relocations).as("no initial-exec / local-exec TLS relocations (static TLS)")
			.doesNotContainPattern("R_X86_64_(GOTTPOFF|TPOFF32|TPOFF64)|R_AARCH64_(TLSIE_|TLSLE_|TLS_TPREL)");
	}

	@ParameterizedTest
	@FieldSource("PLATFORMS")
	void needsNothingButItsCLibraryAndNoGlibcNewerThanTheDocumentedMinimum(String platform) throws Exception {
		findBuiltLibrary(platform);
		String versions = run("readelf", "-VW", this.library.toString());
		if (NativePlatform.MUSL.equals(NativePlatform.field(platform, "libc"))) {
			assertThat(versions).as("a musl library references no glibc symbol version").doesNotContain("GLIBC_");
		}
		else {
			String needs = versions.substring(versions.indexOf("Version needs section"));
			Matcher matcher = Pattern.compile("Name: GLIBC_(\\d+\\.\\d+(?:\\.\\d+)?)").matcher(needs);
			String highest = null;
			while (matcher.find()) {
				if (highest == null || Diagnostics.compareVersions(matcher.group(1), highest) > 0) {
					highest = matcher.group(1);
				}
			}
			assertThat(highest).as("the highest GLIBC_x.y symbol version %s needs (docs/native.md, README)", platform)
				.isEqualTo(NativePlatform.MINIMUM_GLIBC);
		}
		List<String> needed = new ArrayList<>();
		Matcher neededMatcher = Pattern.compile("\\(NEEDED\\).*\\[([^]]+)]")
			.matcher(run("readelf", "-dW", this.library.toString()));
		while (neededMatcher.find()) {
			needed.add(neededMatcher.group(1));
		}
		// glibc: libpthread.so.0 explicitly (below glibc 2.34 the old pthread symbol
		// versions live there,
		// glibc-floor.h). musl: exactly libc.so (no NEEDED at all would mean musl's
		// libc.a was linked in).
		List<String> expected = List.of(NativePlatform.field(platform, "needed").split(","));
		assertThat(needed).as("needs nothing but its C library").containsExactlyElementsOf(expected);
	}

	@ParameterizedTest
	@FieldSource("PLATFORMS")
	void packagedChecksumMatchesTheLibrary(String platform) throws Exception {
		findBuiltLibrary(platform);
		String packaged = Files.readString(Paths.get(this.library + ".sha256"), StandardCharsets.US_ASCII).trim();
		assertThat(packaged).isEqualTo(NativeLibraryLoader.sha256(this.library));
	}

	private List<String> definedDynamicSymbols() throws Exception {
		List<String> symbols = new ArrayList<>();
		for (String line : run("nm", "-D", "--defined-only", this.library.toString()).split("\n")) {
			String[] fields = line.trim().split("\\s+");
			if (fields.length >= 3) {
				symbols.add(fields[2]);
			}
		}
		assertThat(symbols).as("nm found defined dynamic symbols").isNotEmpty();
		return symbols;
	}

	private static String runQuietly(String... command) {
		try {
			return run(command);
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
		return output;
	}

}
