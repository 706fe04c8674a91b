package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * purge() gives freed pages back: checked in a JVM where nothing decays on its own (dirty
 * decay -1, no thread).
 */
class JemallocPurgeTest {

	private static final long MIB = 1024 * 1024;

	@Test
	void purgeLowersResidentAfterALargeAmountWasFreed() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		ForkedJvm.Result result = ForkedJvm.probe().run("configure:65536:-1:false", "purge:64");
		NativeTestSupport.assertCleanExit(result);
		long residentAllocated = Long.parseLong(result.get("residentAllocated"));
		long before = Long.parseLong(result.get("residentBeforePurge"));
		long released = Long.parseLong(result.get("released"));
		long after = Long.parseLong(result.get("residentAfterPurge"));
		assertThat(residentAllocated).isGreaterThanOrEqualTo(64 * MIB);
		assertThat(before).as("freed pages stay resident until purged").isGreaterThanOrEqualTo(60 * MIB);
		assertThat(released).isGreaterThanOrEqualTo(56 * MIB);
		assertThat(after).isLessThanOrEqualTo(before - 56 * MIB);
	}

	@Test
	void purgeNeverReportsANegativeRelease() {
		NativeTestSupport.requireNativeLibrary();
		Jemalloc.purge();
		assertThat(Jemalloc.purge()).isGreaterThanOrEqualTo(0);
	}

}
