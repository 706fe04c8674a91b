package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test support, auto-detected for every test class of the module (see
 * {@code junit-platform.properties}): after each class, collects garbage, makes Netty
 * report leaks and fails the class if any buffer leaked. Also fails if the leak guard
 * itself is not in place (detector level below PARANOID or Netty's detector not made by
 * {@link LeakRecorder}).
 */
public final class LeakCheckExtension implements AfterAllCallback {

	@Override
	public void afterAll(ExtensionContext context) {
		LeakRecorder.collectAndReport(3);
		assertThat(ResourceLeakDetector.getLevel()).as("Netty's leak detection level")
			.isEqualTo(ResourceLeakDetector.Level.PARANOID);
		assertThat(LeakRecorder.detectorTypes()).as("leak detectors made by the recording factory")
			.contains(ByteBuf.class);
		List<String> leaks = LeakRecorder.drainLeaks();
		assertThat(leaks).as("buffer leaks Netty reported after " + context.getDisplayName()).isEmpty();
	}

}
