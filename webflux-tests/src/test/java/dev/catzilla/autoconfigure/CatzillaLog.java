package dev.catzilla.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Collects what Catzilla logs (logger {@code dev.catzilla}) while an application starts
 * and runs. Boot resets logback's appenders when it initialises logging, so the appender
 * is attached once the application is prepared.
 */
final class CatzillaLog {

	private static final List<String> lines = new CopyOnWriteArrayList<>();

	private static final AppenderBase<ILoggingEvent> APPENDER = new AppenderBase<>() {

		@Override
		protected void append(ILoggingEvent event) {
			lines.add(event.getFormattedMessage());
		}

	};

	static {
		APPENDER.setName("catzilla-log");
	}

	private CatzillaLog() {
	}

	/**
	 * The builder, set to collect Catzilla's lines from the start (forgetting earlier
	 * ones).
	 */
	static SpringApplicationBuilder capture(SpringApplicationBuilder builder) {
		lines.clear();
		return builder.listeners((ApplicationListener<ApplicationPreparedEvent>) (event) -> {
			Logger logger = (Logger) LoggerFactory.getLogger("dev.catzilla");
			if (!APPENDER.isStarted()) {
				// Boot stops every appender when it resets logback (a previous
				// application closing, say).
				APPENDER.setContext(logger.getLoggerContext());
				APPENDER.start();
			}
			if (logger.getAppender(APPENDER.getName()) == null) {
				logger.addAppender(APPENDER);
			}
		});
	}

	static List<String> lines() {
		return List.copyOf(lines);
	}

	/** The one startup line (every other Catzilla line says "after startup"). */
	static String startupLine() {
		List<String> startup = lines.stream()
			.filter((line) -> line.startsWith("Catzilla: ") && !line.contains("after startup"))
			.toList();
		assertThat(startup).as("Catzilla's startup lines in %s", lines).hasSize(1);
		return startup.get(0);
	}

}
