package dev.catzilla.autoconfigure.actuate.endpoint;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.CatzillaAutoConfiguration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CatzillaDoctorReader}: {@code /actuator/catzilla/doctor} as JSON and text, and
 * where it has nothing to say.
 */
class CatzillaDoctorReaderTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(CatzillaAutoConfiguration.class, CatzillaEndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=catzilla");

	@Test
	void theDoctorReportsARefusalAtTheCapWithItsNumbersAndTheProperty() {
		this.runner.withPropertyValues("catzilla.jemalloc.max-direct-memory=1MB", "catzilla.jemalloc.cap-reserve=0")
			.run((context) -> {
				JemallocByteBufAllocator allocator = (JemallocByteBufAllocator) context.getBean(CatzillaAllocator.class)
					.allocator();
				try {
					allocator.directBuffer(2 * 1024 * 1024);
				}
				catch (RuntimeException expected) {
					// refused at the cap: what the doctor must report
				}
				CatzillaEndpoint endpoint = context.getBean(CatzillaEndpoint.class);
				WebEndpointResponse<?> json = endpoint.part("doctor", null, null, null);
				assertThat(json.getStatus()).isEqualTo(200);
				String body = JsonMapper.builder().build().writeValueAsString(json.getBody());
				assertThat(body).contains("\"verdict\":\"1 memory problem(s) found")
					.contains("\"rule\":\"cap-refusals\"")
					.contains("\"severity\":\"CRITICAL\"")
					.contains("\"refusedAllocations\":1")
					.contains("catzilla.jemalloc.max-direct-memory");
				WebEndpointResponse<?> text = endpoint.part("doctor", "text", null, null);
				assertThat(text.getContentType().toString()).startsWith("text/plain");
				assertThat((String) text.getBody()).contains("CRITICAL cap-refusals: 1 allocation(s)");
				assertThat(endpoint.part("doctor", "svg", null, null).getStatus()).isEqualTo(400);
			});
	}

	@Test
	void withTheStandardAllocatorTheDoctorSaysJemallocIsNotActive() {
		this.runner.withPropertyValues("catzilla.allocator=malloc").run((context) -> {
			WebEndpointResponse<?> response = context.getBean(CatzillaEndpoint.class).part("doctor", null, null, null);
			assertThat(response.getStatus()).isEqualTo(404);
			assertThat(JsonMapper.builder().build().writeValueAsString(response.getBody()))
				.contains("jemalloc is not active (netty)");
		});
	}

}
