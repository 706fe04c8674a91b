package dev.catzilla.allocator;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Main class run inside the arm64 JVM under emulation (see {@link Aarch64EmulationTest}):
 * runs the named test classes of this module with the JUnit Platform launcher, in that
 * JVM, and prints {@code key=value} counts. Test classes that fork JVMs of their own are
 * not given to it (an emulated JVM cannot start another one).
 */
public final class EmulatedTestsMain {

	private EmulatedTestsMain() {
	}

	public static void main(String[] args) throws Exception {
		LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
		for (String name : args) {
			request.selectors(selectClass(Class.forName(name)));
		}
		LauncherDiscoveryRequest discovery = request.build();
		Launcher launcher = LauncherFactory.create();
		SummaryGeneratingListener listener = new SummaryGeneratingListener();
		long start = System.nanoTime();
		launcher.execute(discovery, listener);
		TestExecutionSummary summary = listener.getSummary();
		summary.printFailuresTo(new PrintWriter(System.out, true), 40);
		System.out.println("platform=" + NativePlatform.current());
		System.out.println("found=" + summary.getTestsFoundCount());
		System.out.println("succeeded=" + summary.getTestsSucceededCount());
		System.out.println("failed=" + summary.getTotalFailureCount());
		System.out.println("skipped=" + summary.getTestsSkippedCount());
		System.out.println("aborted=" + summary.getTestsAbortedCount());
		System.out.println("millis=" + (System.nanoTime() - start) / 1_000_000);
		System.out.println("exit=normal");
		System.out.flush();
		System.exit(summary.getTotalFailureCount() == 0 ? 0 : 1);
	}

}
