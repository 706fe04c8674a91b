package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The linux-x86_64 library loaded and exercised by Temurin 25 running on Debian 11's real
 * glibc 2.31 (older than the 2.36 it is built against;
 * {@link NativePlatform#MINIMUM_GLIBC} is the floor): the diagnostics self-test
 * (allocation and release on several threads, statistics back to baseline, purge,
 * jemalloc's background threads on) and a purge of freed pages; and the linux-aarch64
 * library's self-test in Debian 11's arm64 OpenJDK 17 on its glibc 2.31 under qemu
 * user-mode emulation. On main before the glibc floor the load failed there ("GLIBC_2.32
 * not found").
 */
class OldGlibcTest {

	private static final long MIB = 1024 * 1024;

	@BeforeAll
	static void requireOldGlibc() {
		OldGlibc.require();
	}

	@Test
	void theDiagnosticsSelfTestPassesOnGlibc231() throws Exception {
		ForkedJvm.Result result = ForkedJvm.main(Diagnostics.class).onOldGlibc().run("--json");
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.stdout()).as(result.describe())
			.contains("\"libc\":\"glibc 2.31\"", "\"platform\":\"linux-x86_64\"", "\"available\":true",
					"\"background_thread\":\"true\"", "\"passed\":true", "\"problems\":[]", "\"exitStatus\":0");
		assertThat(result.stdout() + result.stderr()).doesNotContain("WARNING in native method", "not found");
	}

	@Test
	void theAarch64DiagnosticsSelfTestPassesOnGlibc231UnderEmulation() throws Exception {
		ForkedJvm.Result result = ForkedJvm.main(Diagnostics.class).onOldGlibcAarch64().run("--json");
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.stdout()).as(result.describe())
			.contains("\"libc\":\"glibc 2.31\"", "\"platform\":\"linux-aarch64\"", "\"available\":true",
					"\"background_thread\":\"true\"", "\"passed\":true", "\"problems\":[]", "\"exitStatus\":0");
		assertThat(result.stdout() + result.stderr()).doesNotContain("WARNING in native method", "not found");
	}

	@Test
	void jemallocWithBackgroundThreadsPurgesOnGlibc231() throws Exception {
		ForkedJvm.Result result = ForkedJvm.probe().onOldGlibc().run("load", "configure:65536:-1:true", "purge:64");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).as(result.describe()).isEqualTo("true");
		long before = Long.parseLong(result.get("residentBeforePurge"));
		long after = Long.parseLong(result.get("residentAfterPurge"));
		assertThat(Long.parseLong(result.get("released"))).as(result.describe()).isGreaterThanOrEqualTo(56 * MIB);
		assertThat(after).isLessThanOrEqualTo(before - 56 * MIB);
	}

}
