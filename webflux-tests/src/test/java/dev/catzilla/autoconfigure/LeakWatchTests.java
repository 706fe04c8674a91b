package dev.catzilla.autoconfigure;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leak guard of the real-server tests catches a deliberately leaked buffer.
 */
class LeakWatchTests {

	@Test
	void aBufferThatIsNeverReleasedIsReported() throws Exception {
		assertThat(System.getProperty("io.netty.leakDetection.level")).isEqualTo("paranoid");
		LeakWatch.attach();
		LeakWatch.provoke();
		LeakWatch.drain();
		leak();
		LeakWatch.provoke();
		assertThat(LeakWatch.drain()).anySatisfy((report) -> assertThat(report).contains("LEAK: ByteBuf.release()"));
	}

	private static void leak() {
		ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(128);
		leaked.writeLong(42);
	}

}
