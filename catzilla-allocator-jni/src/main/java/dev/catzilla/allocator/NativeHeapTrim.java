package dev.catzilla.allocator;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.LongAdder;

import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Asks the JVM to trim its own C heap, through the diagnostic command behind
 * {@code jcmd <pid> System.trim_native_heap} (HotSpot's, on the JDK 17 and 25 this
 * project is tested with; glibc's {@code malloc_trim}, reported as not supported on
 * musl). The quiet purge calls it after purging jemalloc, so that what the JVM itself
 * freed during the burst (its compiler's and collector's scratch memory) comes back at
 * the same moment, not only Catzilla's buffers; {@code -XX:TrimNativeHeapInterval} does
 * the same every interval, under load too.
 * <p>
 * On a JVM without the command, one that answers that it cannot trim (musl), or without
 * {@code java.management}, the first call finds out, remembers why, and every later call
 * returns at once. The first call may create the platform MBean server (from the quiet
 * purge's thread, whose context class loader is none).
 */
final class NativeHeapTrim {

	/** The diagnostic command's operation on the {@code DiagnosticCommand} MBean. */
	static final String OPERATION = "systemTrimNativeHeap";

	private static final NativeHeapTrim JVM = new NativeHeapTrim(OPERATION);

	private final String operation;

	private final LongAdder trims = new LongAdder();

	private volatile boolean unavailable;

	private volatile String unavailabilityCause = "";

	NativeHeapTrim(String operation) {
		this.operation = operation;
	}

	/** The trim of this JVM. */
	static NativeHeapTrim jvm() {
		return JVM;
	}

	/**
	 * Trims the JVM's C heap once.
	 * @return the JVM's report (for example
	 * {@code Trim native heap: RSS+Swap: 812M->771M (-41M)}), or {@code null} when this
	 * JVM cannot trim ({@link #unavailabilityCause()} says why)
	 */
	String trim() {
		if (this.unavailable) {
			return null;
		}
		try {
			MBeanServer server = ManagementFactory.getPlatformMBeanServer();
			Object report = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), this.operation,
					new Object[] { null }, new String[] { String[].class.getName() });
			String text = String.valueOf(report).trim();
			if (!text.contains("->")) {
				// "Not available." (musl, or a JVM that cannot trim): nothing to ask
				// again.
				this.unavailabilityCause = this.operation + " answered: " + text;
				this.unavailable = true;
				return null;
			}
			this.trims.increment();
			return text;
		}
		catch (Exception | LinkageError ex) {
			// No such command (an older JDK 17 update, another JVM) or no
			// java.management: nothing to trim here, and nothing to retry.
			this.unavailabilityCause = this.operation + " failed: " + ex;
			this.unavailable = true;
			return null;
		}
	}

	/** Trims made so far. */
	long trims() {
		return this.trims.sum();
	}

	/** Why this JVM cannot trim, or an empty string while it can (or was not tried). */
	String unavailabilityCause() {
		return this.unavailabilityCause;
	}

}
