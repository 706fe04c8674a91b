package dev.catzilla.autoconfigure.actuate.health;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.autoconfigure.ActiveAllocator;
import dev.catzilla.autoconfigure.AllocatorMode;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The health indicator is UP in normal operation and WARNING only when native memory is
 * near the allocator's cap.
 */
class CatzillaHealthIndicatorTests {

	@Test
	void warnsOnlyWhileBuffersHoldAtLeastNinetyPercentOfTheCap() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(64 * 1024).build();
		CatzillaHealthIndicator indicator = new CatzillaHealthIndicator(
				new CatzillaAllocator(AllocatorMode.AUTO, ActiveAllocator.JEMALLOC, allocator, "test", null));
		assertThat(indicator.health(true).getStatus().getCode()).isEqualTo("UP");
		ByteBuf held = allocator.directBuffer(60 * 1024);
		try {
			Health health = indicator.health(true);
			assertThat(health.getStatus()).isEqualTo(CatzillaHealthIndicator.WARNING);
			assertThat((Long) health.getDetails().get("usedDirectMemory")).isGreaterThanOrEqualTo(60 * 1024);
			assertThat(health.getDetails()).containsEntry("maxDirectMemory", 64L * 1024);
		}
		finally {
			held.release();
		}
		assertThat(indicator.health(true).getStatus().getCode()).isEqualTo("UP");
	}

	@Test
	void isUpWithNettysDefaultAllocator() {
		CatzillaHealthIndicator indicator = new CatzillaHealthIndicator(new CatzillaAllocator(AllocatorMode.MALLOC,
				ActiveAllocator.NETTY, ByteBufAllocator.DEFAULT, "malloc", null));
		Health health = indicator.health(true);
		assertThat(health.getStatus().getCode()).isEqualTo("UP");
		assertThat(health.getDetails()).containsEntry("active", "netty").doesNotContainKey("usedDirectMemory");
	}

}
