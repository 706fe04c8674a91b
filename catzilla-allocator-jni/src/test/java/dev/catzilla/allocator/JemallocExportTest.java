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

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the built shared object exposes to the process: only the JNI entry points; no allocator symbols. */
class JemallocExportTest {

	private Path library;

	@BeforeEach
	void findBuiltLibrary() {
		NativeTestSupport.requireLinuxX86_64();
		this.library = Paths.get(System.getProperty("catzilla.test.nativeDir", "target/classes/META-INF/native"),
				"libcatzilla_jemalloc_linux_x86_64.so");
		assertThat(this.library).as("the native build's output").isRegularFile();
	}

	@Test
	void onlyJniOnLoadAndJniOnUnloadAreExported() throws Exception {
		List<String> exported = definedDynamicSymbols();
		assertThat(exported).containsExactlyInAnyOrder("JNI_OnLoad", "JNI_OnUnload");
		assertThat(exported).doesNotContain("malloc", "free", "calloc", "realloc", "mallocx", "sdallocx", "mallctl",
				"catzilla_je_mallocx", "catzilla_je_malloc_conf");
		assertThat(exported).noneMatch((symbol) -> symbol.contains("je_") || symbol.contains("jemalloc")
				|| symbol.startsWith("Java_"));
	}

	@Test
	void libraryIsLinkedForDlopenWithNowBindingAndNoExecutableStack() throws Exception {
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
	}

	@Test
	void packagedChecksumMatchesTheLibrary() throws Exception {
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

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
		return output;
	}

}
