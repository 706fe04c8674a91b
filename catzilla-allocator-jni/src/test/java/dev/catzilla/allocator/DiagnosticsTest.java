package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

/**
 * The diagnostics report, run as a user runs it: a fresh JVM each time, exit status and
 * output asserted.
 */
class DiagnosticsTest {

	@Test
	void theDoctorOptionPrintsARunningServicesFindingsAndExitsThreeWhenItFoundAProblem() throws Exception {
		long mib = 1024 * 1024;
		MemoryDoctor.Report sick = MemoryDoctor
			.examine(new MemoryDoctor.Facts(MemoryDoctorTest.stats(100 * mib, 100 * mib, 100 * mib), 100 * mib,
					100 * mib, 3, 3 * mib, JemallocOptions.defaults(), null));
		MemoryDoctor.Report healthy = MemoryDoctor.examine(new MemoryDoctor.Facts(MemoryDoctorTest.stats(mib, mib, mib),
				mib, 100 * mib, 0, 0, JemallocOptions.defaults(), null));
		List<String> queries = new java.util.concurrent.CopyOnWriteArrayList<>();
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.createContext("/", (exchange) -> {
			queries.add(exchange.getRequestURI().getQuery());
			String path = exchange.getRequestURI().getPath();
			String body = path.endsWith("/sick/actuator/catzilla/doctor") ? sick.toText()
					: path.endsWith("/healthy/actuator/catzilla/doctor") ? healthy.toText() : "{\"status\":404}";
			byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(body.startsWith("{") ? 404 : 200, bytes.length);
			exchange.getResponseBody().write(bytes);
			exchange.close();
		});
		server.start();
		try {
			String base = "http://127.0.0.1:" + server.getAddress().getPort();
			ForkedJvm.Result problems = ForkedJvm.main(Diagnostics.class)
				.run("--doctor", base + "/sick/actuator/catzilla/doctor");
			assertThat(problems.exitCode()).as(problems.describe()).isEqualTo(Diagnostics.DOCTOR_FOUND_PROBLEMS);
			assertThat(problems.stdout()).startsWith("2 memory problem(s) found")
				.contains("CRITICAL cap-refusals: 3 allocation(s)")
				.contains("-> If the load is legitimate raise catzilla.jemalloc.max-direct-memory");
			ForkedJvm.Result fine = ForkedJvm.main(Diagnostics.class)
				.run("--doctor", base + "/healthy/actuator/catzilla/doctor");
			assertThat(fine.exitCode()).as(fine.describe()).isZero();
			assertThat(fine.stdout()).startsWith("No memory problem found");
			ForkedJvm.Result missing = ForkedJvm.main(Diagnostics.class).run("--doctor", base + "/nothing");
			assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(Diagnostics.UNAVAILABLE);
			assertThat(missing.stderr()).contains("answered 404");
			assertThat(queries).containsOnly("format=text");
		}
		finally {
			server.stop(0);
		}
	}

	@Test
	void reportsJemallocWorkingWithExitStatusZero() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		ForkedJvm.Result result = ForkedJvm.main(Diagnostics.class).run();
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.stdout()).startsWith("Catzilla diagnostics\n")
			.contains("  platform: " + NativePlatform.current() + "\n", "  supported: true\n", "  libc: glibc ",
					"  pageSize: 4096\n", "requiredGlibc: " + NativePlatform.MINIMUM_GLIBC)
			.contains("  available: true\n", "  version: 5.3.0-", "background_thread: ")
			.contains("through: Netty ByteBufAllocator", "purgeReleasedBytes: ", "passed: true",
					"result: OK: jemalloc works here");
		for (String platform : NativeTestSupport.platformsInJar()) {
			assertThat(result.stdout()).as("the jar's library for %s is listed and checked", platform)
				.containsPattern("platform: " + platform + "\\n\\s+resource: META-INF/native/"
						+ NativePlatform.fileName(platform) + "\\n\\s+present: true\\n\\s+sha256: [0-9a-f]{64}\\n"
						+ "\\s+checksum: ok");
		}
		assertThat(result.stderr()).doesNotContain("WARNING in native method", "LEAK");
	}

	@Test
	void jsonReportCarriesTheSameFacts() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		ForkedJvm.Result result = ForkedJvm.main(Diagnostics.class).run("--json");
		assertThat(result.exitCode()).as(result.describe()).isZero();
		String json = result.stdout().trim();
		assertThat(json).startsWith("{\"catzilla\":").endsWith("}").doesNotContain("\n");
		assertThat(json).contains("\"platform\":\"" + NativePlatform.current() + "\"", "\"available\":true",
				"\"passed\":true", "\"problems\":[]", "\"exitStatus\":0", "\"checksum\":\"ok\"");
	}

	@Test
	void theReportShowsEveryStatisticAndRatioOfTheModelByName() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		ForkedJvm.Result result = ForkedJvm.main(Diagnostics.class).run("--json");
		assertThat(result.exitCode()).as(result.describe()).isZero();
		String json = result.stdout().trim();
		for (JemallocStatistic statistic : JemallocStatistic.of(JemallocStatistic.Scope.TOTAL)) {
			assertThat(json).containsPattern("\"" + statistic.key() + "\":[0-9]+");
		}
		for (JemallocRatio ratio : JemallocRatio.values()) {
			assertThat(json)
				.containsPattern("\"" + ratio.key() + "\":\\{\"ratio\":[0-9.]+(E-?[0-9]+)?,\"bytes\":[0-9]+}");
		}
		assertThat(json).containsPattern("\"arenas\":\\[\\{\"index\":0,\"threads\":[0-9]+,\"smallAllocated\":")
			// after the self-test's threads ended, the small classes may hold no slab at
			// all
			.contains("\"bins\":[", "\"largeClasses\":[");
	}

	@Test
	void reportsTheDisabledLibraryWithCauseAndFixAndExitStatusOne() throws Exception {
		ForkedJvm.Result result = ForkedJvm.main(Diagnostics.class)
			.jvmArgs("-D" + NativeLibraryLoader.DISABLED_PROPERTY + "=true")
			.run();
		assertThat(result.exitCode()).as(result.describe()).isEqualTo(Diagnostics.UNAVAILABLE);
		assertThat(result.stdout()).contains("  available: false\n")
			.contains("java.lang.UnsatisfiedLinkError: Catzilla's native library is disabled on purpose")
			.contains("fix: Remove -D" + NativeLibraryLoader.DISABLED_PROPERTY + "=true")
			.contains("result: jemalloc UNAVAILABLE here")
			.doesNotContain("selfTest");
	}

	@Test
	void reportsAnUnsupportedPlatformWithTheSupportedListAndExitStatusOne() throws Exception {
		NativeTestSupport.requireLinuxX86_64();
		ForkedJvm.Result result = ForkedJvm.main(Diagnostics.class).jvmArgs("-Dos.arch=ppc64le").run();
		assertThat(result.exitCode()).as(result.describe()).isEqualTo(Diagnostics.UNAVAILABLE);
		assertThat(result.stdout()).contains("  platform: linux-ppc64le\n", "  supported: false\n",
				"    - java.lang.UnsatisfiedLinkError: Catzilla has no native library for platform linux-ppc64le (built for "
						+ NativePlatform.describeSupported() + ").",
				"  fix: This jar carries native libraries for " + NativePlatform.describeSupported()
						+ ", not for linux-ppc64le; run on one of those to use jemalloc.",
				"result: jemalloc UNAVAILABLE here: Netty's own allocator would be used");
	}

	@Test
	void reportsAMissingLibraryWithTheFullCauseChainAsJson() throws Exception {
		NativeTestSupport.requireLinuxX86_64();
		// An empty working directory that is not writable makes extraction fail: the
		// loader's whole chain shows.
		ForkedJvm.Result result = ForkedJvm.main(Diagnostics.class)
			.jvmArgs("-D" + NativeLibraryLoader.WORKDIR_PROPERTY + "=/proc/catzilla-not-writable")
			.run("--json");
		assertThat(result.exitCode()).as(result.describe()).isEqualTo(Diagnostics.UNAVAILABLE);
		assertThat(result.stdout()).contains("\"available\":false",
				"\"causes\":[\"java.lang.UnsatisfiedLinkError: " + "Could not load Catzilla's native library",
				"/proc/catzilla-not-writable",
				"(also tried) java.lang.UnsatisfiedLinkError: no catzilla_jemalloc_linux_x86_64 in java.library.path",
				"\"fix\":\"The library for linux-x86_64 did not load", "\"exitStatus\":1");
	}

	@Test
	void jsonWriterEscapesAndNests() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("s", "a\"b\\c\nd\u0001");
		map.put("n", 42L);
		map.put("b", false);
		map.put("l", List.of(1, "x", Map.of()));
		map.put("z", null);
		assertThat(Diagnostics.toJson(map))
			.isEqualTo("{\"s\":\"a\\\"b\\\\c\\nd\\u0001\",\"n\":42,\"b\":false,\"l\":[1,\"x\",{}],\"z\":null}");
	}

	@Test
	void versionsCompareNumerically() {
		assertThat(Diagnostics.compareVersions("2.34", "2.4")).isPositive();
		assertThat(Diagnostics.compareVersions("2.31", "2.34")).isNegative();
		assertThat(Diagnostics.compareVersions("2.34", "2.34.0")).isZero();
	}

}
