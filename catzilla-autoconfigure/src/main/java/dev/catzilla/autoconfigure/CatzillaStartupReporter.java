package dev.catzilla.autoconfigure;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.catzilla.allocator.NativePlatform;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * Logs the one INFO line that says which allocator serves what, and why, when the
 * application context has been refreshed (the web server and the singleton clients exist
 * by then). It lists what was actually wired ({@link CatzillaWiring}); a kind of client
 * first wired later (a {@code RestClient.Builder} asked for at run time, say) gets one
 * INFO line of its own when it happens.
 */
final class CatzillaStartupReporter implements ApplicationListener<ContextRefreshedEvent>, ApplicationContextAware {

	private static final Log logger = LogFactory.getLog("dev.catzilla");

	private final ObjectProvider<CatzillaAllocator> outcome;

	private final ObjectProvider<CatzillaWiring> wiring;

	private final AtomicBoolean reported = new AtomicBoolean();

	private ApplicationContext context;

	CatzillaStartupReporter(ObjectProvider<CatzillaAllocator> outcome, ObjectProvider<CatzillaWiring> wiring) {
		this.outcome = outcome;
		this.wiring = wiring;
	}

	@Override
	public void setApplicationContext(ApplicationContext context) {
		this.context = context;
	}

	@Override
	public void onApplicationEvent(ContextRefreshedEvent event) {
		if (event.getApplicationContext() != this.context || !this.reported.compareAndSet(false, true)) {
			return;
		}
		CatzillaAllocator allocator = this.outcome.getIfUnique();
		CatzillaWiring wiring = this.wiring.getIfUnique();
		if (allocator == null || wiring == null) {
			return;
		}
		if (logger.isInfoEnabled()) {
			logger.info(line(allocator, wiring.served(), wiring.keptOwnAllocator()));
		}
		wiring.onLateWiring((target, served) -> {
			if (logger.isInfoEnabled()) {
				logger.info(lateLine(target, served, wiring));
			}
		});
	}

	static String line(CatzillaAllocator allocator, List<String> served, List<String> kept) {
		StringBuilder line = new StringBuilder("Catzilla: ");
		if (allocator.isJemalloc()) {
			line.append(jemallocLabel(JemallocSupport.shortVersion(), JemallocSupport.platform()));
		}
		else {
			line.append("Netty's default allocator (")
				.append(allocator.allocator().getClass().getSimpleName())
				.append(")");
		}
		if (served.isEmpty() && kept.isEmpty()) {
			line.append(" selected, nothing to serve: no Reactor Netty server or client was built");
		}
		else {
			line.append(" served: ").append(served);
		}
		if (!kept.isEmpty()) {
			line.append(", own allocator kept: ").append(kept);
		}
		line.append(" (requested ").append(allocator.requested().id());
		if (!allocator.isJemalloc() || allocator.reason().contains("already initialised")) {
			line.append("; ").append(allocator.reason());
		}
		return line.append(")").toString();
	}

	/**
	 * {@code jemalloc 5.3.0}, and the platform when its library is not a glibc one, e.g.
	 * {@code jemalloc 5.3.0 (linux-x86_64-musl)}: the line then says that the musl
	 * library serves.
	 */
	static String jemallocLabel(String version, String platform) {
		String libc = NativePlatform.cLibraryOf(platform);
		return "jemalloc " + version + ((libc == null || libc.equals("glibc")) ? "" : " (" + platform + ")");
	}

	static String lateLine(CatzillaTarget target, boolean served, CatzillaWiring wiring) {
		return "Catzilla: " + target.id() + (served ? " wired after startup, served: " + wiring.served()
				: " built after startup with its own allocator, kept: " + wiring.keptOwnAllocator());
	}

}
