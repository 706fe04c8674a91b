package dev.catzilla.autoconfigure;

import java.time.Duration;
import java.util.Map;

import dev.catzilla.allocator.JemallocOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Binding of {@code catzilla.*}: relaxed names, defaults, the mapping onto
 * {@link JemallocOptions}, bad values.
 */
@ExtendWith(OutputCaptureExtension.class)
class CatzillaPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesOnly.class);

	@Test
	void allocatorDefaultsToAuto() {
		this.runner.run((context) -> assertThat(context.getBean(CatzillaProperties.class).getAllocator())
			.isEqualTo(AllocatorMode.AUTO));
	}

	@Test
	void allocatorBindsFromAnEnvironmentVariableInAnyCase() {
		for (String value : new String[] { "jemalloc", "JEMALLOC", "Jemalloc" }) {
			this.runner
				.withInitializer((context) -> context.getEnvironment()
					.getPropertySources()
					.addFirst(new SystemEnvironmentPropertySource("test-env", Map.of("CATZILLA_ALLOCATOR", value))))
				.run((context) -> assertThat(context.getBean(CatzillaProperties.class).getAllocator())
					.isEqualTo(AllocatorMode.JEMALLOC));
		}
	}

	@Test
	void allocatorBindsFromAPropertyInLowerCase() {
		this.runner.withPropertyValues("catzilla.allocator=malloc")
			.run((context) -> assertThat(context.getBean(CatzillaProperties.class).getAllocator())
				.isEqualTo(AllocatorMode.MALLOC));
	}

	@Test
	void anUnknownAllocatorFailsStartupWithAReportNamingTheValidValues(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> new SpringApplicationBuilder(PropertiesOnly.class).web(WebApplicationType.NONE)
				.properties("catzilla.allocator=tcmalloc")
				.run());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("catzilla.allocator")
			.contains("tcmalloc")
			.contains("The following values are valid:")
			.containsSubsequence("AUTO", "JEMALLOC", "MALLOC");
	}

	@Test
	void theCapReserveDefaultsToASixteenthOfTheCapAtMostFourMegabytesAndMustBeBelowTheCap() {
		this.runner.run((context) -> {
			CatzillaProperties.Jemalloc jemalloc = context.getBean(CatzillaProperties.class).getJemalloc();
			assertThat(jemalloc.capReserveBytes(16L << 20)).isEqualTo(1L << 20);
			assertThat(jemalloc.capReserveBytes(1L << 30)).isEqualTo(4L << 20);
		});
		this.runner.withPropertyValues("catzilla.jemalloc.cap-reserve=0")
			.run((context) -> assertThat(
					context.getBean(CatzillaProperties.class).getJemalloc().capReserveBytes(16L << 20))
				.isZero());
		this.runner.withPropertyValues("catzilla.jemalloc.cap-reserve=16MB")
			.run((context) -> assertThatException()
				.isThrownBy(() -> context.getBean(CatzillaProperties.class).getJemalloc().capReserveBytes(16L << 20))
				.withMessageContaining("catzilla.jemalloc.cap-reserve")
				.withMessageContaining("less than the cap"));
	}

	@Test
	void defaultsAreCatzillasDefaultJemallocOptions() {
		this.runner.run((context) -> {
			CatzillaProperties.Jemalloc jemalloc = context.getBean(CatzillaProperties.class).getJemalloc();
			assertThat(jemalloc.toOptions()).isEqualTo(JemallocOptions.defaults());
			assertThat(jemalloc.maxDirectMemoryBytes()).isEqualTo(-1);
		});
	}

	@Test
	void jemallocPropertiesMapOntoJemallocOptions() {
		this.runner
			.withPropertyValues("catzilla.jemalloc.background-thread=false", "catzilla.jemalloc.dirty-decay=5s",
					"catzilla.jemalloc.muzzy-decay=-1ms", "catzilla.jemalloc.tcache-max=32KB",
					"catzilla.jemalloc.arenas=4", "catzilla.jemalloc.max-direct-memory=64MB",
					"catzilla.jemalloc.quiet-purge=250ms", "catzilla.jemalloc.trim-native-heap=false")
			.run((context) -> {
				CatzillaProperties.Jemalloc jemalloc = context.getBean(CatzillaProperties.class).getJemalloc();
				assertThat(jemalloc.toOptions()).isEqualTo(JemallocOptions.builder()
					.backgroundThread(false)
					.dirtyDecay(Duration.ofSeconds(5))
					.muzzyDecay(Duration.ofMillis(-1))
					.tcacheMax(32 * 1024)
					.arenas(4)
					.quietPurge(Duration.ofMillis(250))
					.trimNativeHeap(false)
					.build());
				assertThat(jemalloc.toOptions().toMallocConf()).contains("dirty_decay_ms:5000")
					.contains("muzzy_decay_ms:-1")
					.contains("tcache_max:32768")
					.contains("narenas:4")
					.contains("background_thread:false");
				assertThat(jemalloc.maxDirectMemoryBytes()).isEqualTo(64L * 1024 * 1024);
			});
	}

	@Test
	void aNegativeQuietPurgeNamesThePropertyAndWhatIsAllowed() {
		this.runner.withPropertyValues("catzilla.jemalloc.quiet-purge=-1s").run((context) -> {
			CatzillaProperties.Jemalloc jemalloc = context.getBean(CatzillaProperties.class).getJemalloc();
			assertThatException().isThrownBy(jemalloc::toOptions)
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.withMessageContaining("catzilla.jemalloc.quiet-purge")
				.withMessageContaining("between 0 (never) and 1 hour");
		});
	}

	@Test
	void aTcacheMaxJemallocRejectsNamesThePropertyAndTheLimit() {
		this.runner.withPropertyValues("catzilla.jemalloc.tcache-max=16MB").run((context) -> {
			CatzillaProperties.Jemalloc jemalloc = context.getBean(CatzillaProperties.class).getJemalloc();
			assertThatException().isThrownBy(jemalloc::toOptions)
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.withMessageContaining("catzilla.jemalloc.tcache-max")
				.withMessageContaining("8388608");
		});
	}

	@Test
	void aNonPositiveMaxDirectMemoryIsRejectedWithThePropertyName() {
		this.runner.withPropertyValues("catzilla.jemalloc.max-direct-memory=0B").run((context) -> {
			CatzillaProperties.Jemalloc jemalloc = context.getBean(CatzillaProperties.class).getJemalloc();
			assertThatException().isThrownBy(jemalloc::maxDirectMemoryBytes)
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.withMessageContaining("catzilla.jemalloc.max-direct-memory");
		});
	}

	@Test
	void invalidJemallocSettingsFailStartupWithBootsReportNamingTheProperty(CapturedOutput output) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(Full.class).web(WebApplicationType.NONE)
			.properties("catzilla.allocator=auto", "catzilla.jemalloc.arenas=5000")
			.run());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("catzilla.jemalloc.arenas")
			.contains("5000")
			.contains("between 0");
	}

	@SpringBootConfiguration
	@org.springframework.boot.context.properties.EnableConfigurationProperties(CatzillaProperties.class)
	static class PropertiesOnly {

	}

	/**
	 * Catzilla's auto-configuration alone, whatever else this module's class path holds
	 * (the gateway, say).
	 */
	@SpringBootConfiguration
	@ImportAutoConfiguration(CatzillaAutoConfiguration.class)
	static class Full {

	}

	@Test
	void theProfilePropertiesDefaultsAreTheAllocatorsProfilingDefaults() {
		assertThat(new CatzillaProperties.Profile().toOptions())
			.isEqualTo(dev.catzilla.allocator.ProfilingOptions.defaults());
	}

}
