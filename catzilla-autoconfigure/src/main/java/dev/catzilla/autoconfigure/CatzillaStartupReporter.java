package dev.catzilla.autoconfigure;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Logs the one INFO line that says which allocator serves what, and why, once all beans exist.
 */
final class CatzillaStartupReporter implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog("dev.catzilla");

	private final ObjectProvider<CatzillaAllocator> outcome;

	private final ObjectProvider<CatzillaWiring> wirings;

	CatzillaStartupReporter(ObjectProvider<CatzillaAllocator> outcome, ObjectProvider<CatzillaWiring> wirings) {
		this.outcome = outcome;
		this.wirings = wirings;
	}

	@Override
	public void afterSingletonsInstantiated() {
		CatzillaAllocator allocator = this.outcome.getIfUnique();
		if (allocator != null && logger.isInfoEnabled()) {
			logger.info(line(allocator, this.wirings.orderedStream().map(CatzillaWiring::target).toList()));
		}
	}

	static String line(CatzillaAllocator allocator, List<String> targets) {
		StringBuilder line = new StringBuilder("Catzilla: ");
		if (allocator.isJemalloc()) {
			line.append("jemalloc ").append(JemallocSupport.shortVersion());
		}
		else {
			line.append("Netty's default allocator (").append(allocator.allocator().getClass().getSimpleName())
				.append(")");
		}
		if (targets.isEmpty()) {
			line.append(" selected, but there is no Reactor Netty server or WebClient to serve");
		}
		else {
			line.append(" serving ").append(String.join(" and ", targets));
		}
		line.append(" (requested ").append(allocator.requested().id());
		if (!allocator.isJemalloc() || allocator.reason().contains("already initialised")) {
			line.append("; ").append(allocator.reason());
		}
		return line.append(")").toString();
	}

}
