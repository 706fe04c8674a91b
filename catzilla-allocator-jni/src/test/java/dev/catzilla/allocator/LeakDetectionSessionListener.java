package dev.catzilla.allocator;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Test support, registered in {@code META-INF/services}: runs before any test class
 * loads, so Netty's leak detector runs at PARANOID (unless the build chose a level) and
 * reports into {@link LeakRecorder}.
 */
public final class LeakDetectionSessionListener implements LauncherSessionListener {

	@Override
	public void launcherSessionOpened(LauncherSession session) {
		if (System.getProperty("io.netty.leakDetection.level") == null) {
			System.setProperty("io.netty.leakDetection.level", "paranoid");
		}
		LeakRecorder.install();
	}

	@Override
	public void launcherSessionClosed(LauncherSession session) {
		LeakRecorder.collectAndReport(3);
		for (String leak : LeakRecorder.drainLeaks()) {
			// Too late to fail a test here; LeakCheckExtension fails the test classes.
			// Make it visible anyway.
			System.err.println("Netty reported a buffer leak after the last test class: " + leak);
		}
	}

}
