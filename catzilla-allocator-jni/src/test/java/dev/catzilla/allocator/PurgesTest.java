package dev.catzilla.allocator;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every purge counted per trigger with the resident bytes it gave back. */
class PurgesTest {

	private static final int MIB = 1024 * 1024;

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void anExplicitPurgeIsCountedWithTheResidentBytesItGaveBack() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		long purges = Purges.count(Purges.Trigger.EXPLICIT);
		long released = Purges.released(Purges.Trigger.EXPLICIT);
		long[] purged = new long[1];
		// No quiet purge may take the freed pages between the frees and the explicit
		// purge.
		QuietPurgeOff.run(() -> {
			List<ByteBuf> held = new ArrayList<>();
			for (int i = 0; i < 32; i++) {
				ByteBuf buffer = allocator.directBuffer(MIB, MIB);
				buffer.writeZero(MIB);
				held.add(buffer);
			}
			held.forEach(ByteBuf::release);
			purged[0] = Jemalloc.purge();
		});
		long now = purged[0];
		assertThat(Purges.count(Purges.Trigger.EXPLICIT)).isEqualTo(purges + 1);
		assertThat(Purges.released(Purges.Trigger.EXPLICIT)).isEqualTo(released + now);
		assertThat(now).as("32 MiB touched and freed, then purged").isPositive();
		assertThat(Purges.Trigger.EXPLICIT.tag()).isEqualTo("explicit");
		assertThat(Purges.Trigger.QUIET.tag()).isEqualTo("quiet");
	}

	@Test
	void aPurgeWhileJemallocsBackgroundThreadPurgesTheSameArenaLeavesNoDirtyPagesBehind() throws Exception {
		// jemalloc skips a forced purge of an arena that another thread is purging, and
		// its background thread purges a part of 256 MiB just freed; before Purges tried
		// again, every such round left 90-250 MiB dirty for the 10 s decay (and
		// LargeBufferTest failed now and then). Forked JVM, background thread on.
		ForkedJvm.Result result = ForkedJvm.main(PurgeRaceMain.class).jvmArgs("-Xmx128m").run();
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.get("exit")).as(result.describe()).isEqualTo("normal");
		assertThat(Long.parseLong(result.get("roundsRaced"))).as("the race happened: " + result.describe())
			.isPositive();
		assertThat(result.get("roundsLeftDirty")).as(result.describe()).isEqualTo("0");
	}

	@Test
	void theQuietPurgeCountsAsQuiet() {
		long quiet = Purges.count(Purges.Trigger.QUIET);
		Purges.purge(Purges.Trigger.QUIET);
		assertThat(Purges.count(Purges.Trigger.QUIET)).isGreaterThan(quiet);
	}

}
