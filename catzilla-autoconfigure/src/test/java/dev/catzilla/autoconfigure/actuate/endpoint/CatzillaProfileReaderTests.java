package dev.catzilla.autoconfigure.actuate.endpoint;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.CatzillaAutoConfiguration;
import dev.catzilla.autoconfigure.CatzillaProperties;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CatzillaProfileReader}: {@code /actuator/catzilla/profile} in each format,
 * configured by properties.
 */
class CatzillaProfileReaderTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(CatzillaAutoConfiguration.class, CatzillaEndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=catzilla");

	@Test
	void theProfileShowsTheSiteHoldingTheLiveBuffersInEveryFormat() {
		this.runner.withPropertyValues("catzilla.profile.sample-interval=1B").run((context) -> {
			JemallocByteBufAllocator allocator = (JemallocByteBufAllocator) context.getBean(CatzillaAllocator.class)
				.allocator();
			assertThat(allocator.profiler().options().sampleInterval()).isEqualTo(1);
			ByteBuf buf = holdBuffers(allocator);
			try {
				CatzillaEndpoint endpoint = context.getBean(CatzillaEndpoint.class);
				WebEndpointResponse<?> json = endpoint.part("profile", null, null, null);
				assertThat(json.getStatus()).isEqualTo(200);
				String body = JsonMapper.builder().build().writeValueAsString(json.getBody());
				assertThat(body).contains("\"liveBytes\":4096").contains("holdBuffers");
				WebEndpointResponse<?> collapsed = endpoint.part("profile", "collapsed", null, null);
				assertThat(collapsed.getContentType().toString()).startsWith("text/plain");
				assertThat((String) collapsed.getBody()).contains(".holdBuffers 4096");
				WebEndpointResponse<?> svg = endpoint.part("profile", "svg", "live", null);
				assertThat(svg.getContentType().toString()).isEqualTo("image/svg+xml");
				assertThat((String) svg.getBody()).startsWith("<?xml").contains("holdBuffers");
				WebEndpointResponse<?> pprof = endpoint.part("profile", "pprof", null, null);
				byte[] raw = new GZIPInputStream(new ByteArrayInputStream((byte[]) pprof.getBody())).readAllBytes();
				assertThat(new String(raw, StandardCharsets.ISO_8859_1)).contains("inuse_space")
					.contains("holdBuffers");
				assertThat(endpoint.part("profile", "xml", null, null).getStatus()).isEqualTo(400);
				assertThat(endpoint.part("profile", null, "forever", null).getStatus()).isEqualTo(400);
				assertThat(endpoint.part("nothing", null, null, null).getStatus()).isEqualTo(404);
			}
			finally {
				buf.release();
			}
		});
	}

	private static ByteBuf holdBuffers(JemallocByteBufAllocator allocator) {
		return allocator.directBuffer(4096);
	}

	@Test
	void profilingIsOnByDefaultAtTheDefaultIntervalAndSampleIntervalZeroTurnsItOff() {
		this.runner.run((context) -> assertThat(
				((JemallocByteBufAllocator) context.getBean(CatzillaAllocator.class).allocator()).profiler()
					.options()
					.sampleInterval())
			.isEqualTo(4 * 1024 * 1024));
		this.runner.withPropertyValues("catzilla.profile.sample-interval=0").run((context) -> {
			JemallocByteBufAllocator allocator = (JemallocByteBufAllocator) context.getBean(CatzillaAllocator.class)
				.allocator();
			ByteBuf buf = allocator.directBuffer(1 << 20);
			buf.release();
			assertThat(allocator.profiler().enabled()).isFalse();
			assertThat(allocator.profiler().snapshot().memory().samplesTaken()).isZero();
		});
	}

	@Test
	void theJfrEventThrottleIsAProperty() {
		this.runner.withPropertyValues("catzilla.profile.max-jfr-events-per-second=7")
			.run((context) -> assertThat(
					((JemallocByteBufAllocator) context.getBean(CatzillaAllocator.class).allocator()).profiler()
						.options()
						.maxJfrEventsPerSecond())
				.isEqualTo(7));
		this.runner.withPropertyValues("catzilla.profile.max-jfr-events-per-second=-1")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("maxJfrEventsPerSecond"));
	}

	@Test
	void anInvalidProfileSettingFailsStartupWithItsName() {
		this.runner.withPropertyValues("catzilla.profile.max-stack-depth=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("maxStackDepth"));
	}

}
