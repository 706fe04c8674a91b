package dev.catzilla.allocator;

import java.time.Duration;

/**
 * Run in a forked JVM by {@link JemallocStatisticsTest}: jemalloc with dirty decay off
 * and no quiet purge, so freed pages stay dirty until an explicit purge; then mallctl
 * names that do not exist or are read with the wrong type. Prints {@code key=value}
 * lines; exits 0 when it got to the end (the JVM did not crash).
 */
public final class JemallocStatisticsMain {

	private JemallocStatisticsMain() {
	}

	public static void main(String[] args) {
		Jemalloc
			.configure(JemallocOptions.builder().dirtyDecay(Duration.ofMillis(-1)).quietPurge(Duration.ZERO).build());
		long mib = 1024 * 1024;
		long dirtyBefore = JemallocStatistics.read().get(JemallocStatistic.DIRTY);
		long[] addresses = new long[64];
		for (int i = 0; i < addresses.length; i++) {
			addresses[i] = JemallocNative.allocate(mib);
			JemallocNative.directBuffer(addresses[i], mib).put(0, (byte) 1).put((int) mib - 1, (byte) 1);
			// touch every page, so the freed pages are resident (dirty), not just mapped
			for (int offset = 0; offset < mib; offset += 4096) {
				JemallocNative.directBuffer(addresses[i], mib).put(offset, (byte) 1);
			}
		}
		for (long address : addresses) {
			JemallocNative.free(address, mib);
		}
		JemallocStatistics.Snapshot afterFree = JemallocStatistics.read();
		System.out.println("dirtyBefore=" + dirtyBefore);
		System.out.println("dirtyAfterFree=" + afterFree.get(JemallocStatistic.DIRTY));
		long arenaDirty = 0;
		for (JemallocStatistics.Arena arena : afterFree.arenas()) {
			arenaDirty += arena.dirty();
		}
		System.out.println("arenaDirtySum=" + arenaDirty);
		Jemalloc.purge();
		System.out.println("dirtyAfterPurge=" + JemallocStatistics.read().get(JemallocStatistic.DIRTY));
		for (String name : new String[] { "stats.no_such_statistic", "stats.arenas.4096.bins.9999.curregs",
				"stats.arenas.77.pdirty" }) {
			try {
				JemallocStatistics.readByName(name, JemallocStatistic.CType.SIZE_T);
				System.out.println("unknown:" + name + "=read");
			}
			catch (IllegalStateException ex) {
				System.out.println("unknown:" + name + "=" + ex.getMessage());
			}
		}
		try {
			JemallocStatistics.readByName("stats.allocated", JemallocStatistic.CType.BOOL);
			System.out.println("wrongType=read");
		}
		catch (IllegalStateException ex) {
			System.out.println("wrongType=" + ex.getMessage());
		}
		System.out.println("allocatedAtEnd=" + JemallocStatistics.read().get(JemallocStatistic.ALLOCATED));
		System.out.println("exit=normal");
	}

}
