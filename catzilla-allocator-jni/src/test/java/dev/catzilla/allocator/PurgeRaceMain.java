package dev.catzilla.allocator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;

/**
 * Test support, run in a forked JVM by {@link PurgesTest}: rounds (up to 60, until 3
 * raced) of freeing 256 MiB of touched 1 MiB buffers and purging the moment jemalloc's
 * background thread has begun to purge a part of them (its dirty pages fall: it has taken
 * extents out to purge them); prints the rounds where that moment came, the rounds whose
 * purge left more than an eighth of it dirty, and the retries it took.
 */
public final class PurgeRaceMain {

	private static final int MIB = 1024 * 1024;

	private PurgeRaceMain() {
	}

	public static void main(String[] args) throws Exception {
		// No quiet purge: only the explicit ones below, against the background thread.
		Jemalloc.configure(JemallocOptions.builder().quietPurge(Duration.ZERO).build());
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(1L << 30).build();
		int raced = 0;
		int leftDirty = 0;
		long mostLeft = 0;
		for (int round = 0; round < 60 && raced < 3; round++) {
			List<ByteBuf> held = new ArrayList<>();
			for (int i = 0; i < 256; i++) {
				held.add(allocator.directBuffer(MIB, MIB).writeZero(MIB));
			}
			held.forEach(ByteBuf::release);
			long freed = JemallocStatistics.readDirty();
			long deadline = System.nanoTime() + 1_500_000_000L;
			boolean begun = false;
			while (!begun && System.nanoTime() < deadline) {
				begun = JemallocStatistics.readDirty() < freed - 8 * MIB;
			}
			if (begun) {
				raced++;
			}
			Purges.purge(Purges.Trigger.EXPLICIT);
			long dirty = JemallocStatistics.readDirty();
			mostLeft = Math.max(mostLeft, dirty);
			// The purge may leave an eighth of what was dirty (32 MiB): more is a skip.
			if (dirty > freed / 8) {
				leftDirty++;
			}
		}
		System.out.println("roundsRaced=" + raced);
		System.out.println("roundsLeftDirty=" + leftDirty);
		System.out.println("mostLeftDirtyMiB=" + mostLeft / MIB);
		System.out.println("retried=" + Purges.retried());
		System.out.println("exit=normal");
	}

}
