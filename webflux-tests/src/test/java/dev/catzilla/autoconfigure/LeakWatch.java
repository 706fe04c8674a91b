package dev.catzilla.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.slf4j.LoggerFactory;

/**
 * Collects Netty's leak reports (the tests run with
 * {@code io.netty.leakDetection.level=paranoid}). Netty logs a report when a buffer that
 * was never released has been collected and a later allocation polls for it, so
 * {@link #provoke()} runs the collector and allocates.
 */
final class LeakWatch {

	private static final List<String> reports = new CopyOnWriteArrayList<>();

	private static final AppenderBase<ILoggingEvent> APPENDER = new AppenderBase<>() {

		@Override
		protected void append(ILoggingEvent event) {
			if (event.getFormattedMessage().contains("LEAK:")) {
				reports.add(event.getFormattedMessage());
			}
		}

	};

	static {
		APPENDER.setName("catzilla-leak-watch");
		APPENDER.start();
	}

	private LeakWatch() {
	}

	/**
	 * (Re-)attaches the watch: Spring Boot resets logback's appenders whenever a context
	 * starts.
	 */
	static void attach() {
		Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
		if (!APPENDER.isStarted()) {
			// Boot stops every appender when it resets logback (an application closing,
			// say): a stopped appender
			// drops what it is given, which would hide leaks.
			APPENDER.setContext(logger.getLoggerContext());
			APPENDER.start();
		}
		if (logger.getAppender(APPENDER.getName()) == null) {
			logger.addAppender(APPENDER);
		}
	}

	/**
	 * Collects garbage and allocates, so that buffers collected without release get
	 * reported now.
	 */
	static void provoke() throws InterruptedException {
		attach();
		for (int round = 0; round < 5; round++) {
			System.gc();
			Thread.sleep(100);
			for (int i = 0; i < 100; i++) {
				ByteBufAllocator.DEFAULT.directBuffer(64).release();
			}
		}
	}

	/** The reports so far, and forgets them. */
	static List<String> drain() {
		List<String> drained = new ArrayList<>(reports);
		reports.removeAll(drained);
		return drained;
	}

}
