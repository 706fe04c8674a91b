package dev.catzilla.autoconfigure.actuate.health;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.autoconfigure.CatzillaAllocator;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * {@code UP} with the allocator's details; {@code WARNING} (a status of its own that does
 * not change the aggregate status or the HTTP status) when jemalloc's live buffers hold
 * at least 90% of the allocator's cap.
 */
public class CatzillaHealthIndicator extends AbstractHealthIndicator {

	/** Reported when native memory is near the allocator's cap. */
	public static final Status WARNING = new Status("WARNING",
			"Catzilla's buffers hold at least 90% of the allocator's native memory cap");

	static final double WARNING_RATIO = 0.9;

	private final CatzillaAllocator outcome;

	public CatzillaHealthIndicator(CatzillaAllocator outcome) {
		super("Catzilla health check failed");
		this.outcome = outcome;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("requested", this.outcome.requested().id())
			.withDetail("active", this.outcome.active().id())
			.withDetail("allocatorClass", this.outcome.allocatorClass());
		if (this.outcome.isJemalloc() && this.outcome.allocator() instanceof JemallocByteBufAllocator jemalloc) {
			long used = jemalloc.usedDirectMemory();
			long max = jemalloc.maxDirectMemory();
			builder.withDetail("usedDirectMemory", used).withDetail("maxDirectMemory", max);
			builder.status((max > 0 && used >= max * WARNING_RATIO) ? WARNING : Status.UP);
		}
		else {
			builder.up();
		}
	}

}
