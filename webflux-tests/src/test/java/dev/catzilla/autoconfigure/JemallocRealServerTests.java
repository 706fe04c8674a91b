package dev.catzilla.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.catzilla.allocator.Jemalloc;
import dev.catzilla.allocator.JemallocByteBufAllocator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code catzilla.allocator=auto} on CI's platform: jemalloc serves the server's
 * channels, the requests' buffers and the WebClient; the endpoint and the Prometheus
 * scrape say so.
 */
@SpringBootTest(classes = EchoApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=catzilla,prometheus,health",
				"management.endpoint.health.show-details=always" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JemallocRealServerTests extends AbstractRealServerTests {

	@Test
	@Order(1)
	void theChannelsAndTheRequestBuffersUseOurAllocatorAndJemallocsCountersMoved() throws Exception {
		assertThat(this.outcome.allocator()).isInstanceOf(JemallocByteBufAllocator.class);
		long baseline = Jemalloc.stats().allocated();
		bodiesFromAFewBytesToSeveralMebibytesRoundTripIntact();
		assertThat(this.probe.serverChannel.get()).isSameAs(this.outcome.allocator());
		assertThat(this.probe.acceptedChannels).containsOnly(this.outcome.allocator());
		assertThat(this.probe.clientChannels).containsOnly(this.outcome.allocator());
		assertThat(this.probe.requestBuffers).containsOnly(this.outcome.allocator());
		assertThat(this.probe.usedDirectMemoryWhileHeld.get()).isGreaterThanOrEqualTo(LARGEST);
		assertThat(this.probe.jemallocAllocatedWhileHeld.get() - baseline).isGreaterThanOrEqualTo(LARGEST);
	}

	@Test
	@Order(2)
	void theEndpointDescribesJemallocThroughHttp() {
		this.http.get()
			.uri("/actuator/catzilla")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.requested")
			.isEqualTo("auto")
			.jsonPath("$.active")
			.isEqualTo("jemalloc")
			.jsonPath("$.allocatorClass")
			.isEqualTo(JemallocByteBufAllocator.class.getName())
			.jsonPath("$.reason")
			.value((String reason) -> assertThat(reason).startsWith("native library available"))
			.jsonPath("$.platform.os")
			.value((String os) -> assertThat(os).startsWith("Linux"))
			.jsonPath("$.platform.arch")
			.isEqualTo(System.getProperty("os.arch"))
			.jsonPath("$.platform.jvm")
			.value((String jvm) -> assertThat(jvm).contains(System.getProperty("java.runtime.version")))
			.jsonPath("$.platform.libc")
			.value((String libc) -> assertThat(libc).matches("glibc 2\\.\\d+"))
			.jsonPath("$.platform.catzillaPlatform")
			.isEqualTo(Jemalloc.platform())
			.jsonPath("$.nativeLibrary.status")
			.isEqualTo("loaded")
			.jsonPath("$.nativeLibrary.location")
			.isEqualTo(Jemalloc.libraryLocation())
			.jsonPath("$.nativeLibrary.version")
			.value((String v) -> assertThat(v).startsWith("5.3.0"))
			.jsonPath("$.jemalloc.initialized")
			.isEqualTo(true)
			.jsonPath("$.jemalloc.requestedOptions.dirty_decay_ms")
			.isEqualTo("10000")
			.jsonPath("$.jemalloc.requestedOptions.tcache_max")
			.isEqualTo("65536")
			.jsonPath("$.jemalloc.effectiveOptions")
			.value((java.util.Map<String, String> options) -> assertThat(options).isNotEmpty())
			.jsonPath("$.jemalloc.stats.resident")
			.value((Number resident) -> assertThat(resident.longValue()).isPositive())
			.jsonPath("$.jemalloc.stats.allocated")
			.value((Number allocated) -> assertThat(allocated.longValue()).isNotNegative())
			.jsonPath("$.netty.allocatorClass")
			.isEqualTo(JemallocByteBufAllocator.class.getName())
			.jsonPath("$.netty.usedDirectMemory")
			.value((Number used) -> assertThat(used.longValue()).isNotNegative())
			.jsonPath("$.netty.cachedDirectMemory")
			.value((Number cached) -> assertThat(cached.longValue()).isNotNegative())
			.jsonPath("$.netty.maxDirectMemory")
			.value((Number max) -> assertThat(max.longValue()).isPositive())
			.jsonPath("$.jemalloc.ratios.residentActive.ratio")
			.value((Number ratio) -> assertThat(ratio.doubleValue()).isGreaterThanOrEqualTo(1))
			.jsonPath("$.jemalloc.ratios.binFragmentation.bytes")
			.value((Number bytes) -> assertThat(bytes.longValue()).isNotNegative())
			.jsonPath("$.jemalloc.processResident")
			.value((Number rss) -> assertThat(rss.longValue()).isPositive())
			.jsonPath("$.jemalloc.stats")
			.value((java.util.Map<String, Number> stats) -> assertThat(stats.keySet())
				.as("every total of the model, by name")
				.containsExactlyElementsOf(dev.catzilla.allocator.JemallocStatistic
					.of(dev.catzilla.allocator.JemallocStatistic.Scope.TOTAL)
					.stream()
					.map(dev.catzilla.allocator.JemallocStatistic::key)
					.toList()))
			.jsonPath("$.jemalloc.ratios")
			.value((java.util.Map<String, Object> ratios) -> assertThat(ratios.keySet())
				.containsExactly(java.util.Arrays.stream(dev.catzilla.allocator.JemallocRatio.values())
					.map(dev.catzilla.allocator.JemallocRatio::key)
					.toArray(String[]::new)))
			.consumeWith((result) -> write("catzilla-endpoint.json", result.getResponseBody()));
	}

	@Test
	@Order(2)
	void theStatisticsPartShowsEachArenaAndEachSizeClassInUse() {
		this.http.get()
			.uri("/actuator/catzilla/statistics")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.totals.resident")
			.value((Number resident) -> assertThat(resident.longValue()).isPositive())
			.jsonPath("$.ratios.activeAllocated.bytes")
			.value((Number bytes) -> assertThat(bytes.longValue()).isNotNegative())
			.jsonPath("$.pageSize")
			.isEqualTo(4096)
			.jsonPath("$.arenas[0].index")
			.isEqualTo(0)
			.jsonPath("$.arenas[0].threads")
			.value((Number threads) -> assertThat(threads.longValue()).isNotNegative())
			.jsonPath("$.arenas[0].smallAllocated")
			.value((Number bytes) -> assertThat(bytes.longValue()).isNotNegative())
			.jsonPath("$.bins[0].size")
			.value((Number size) -> assertThat(size.longValue()).isPositive())
			.jsonPath("$.bins[*].slabs")
			.value((java.util.List<Number> slabs) -> assertThat(slabs)
				.allSatisfy((n) -> assertThat(n.longValue()).isPositive()))
			.jsonPath("$.bins[0].utilisation")
			.value((Number u) -> assertThat(u.doubleValue()).isBetween(0.0, 1.0))
			.jsonPath("$.bins[0].wastedBytes")
			.value((Number w) -> assertThat(w.longValue()).isNotNegative())
			.jsonPath("$.largeClasses[*].extents")
			.value((java.util.List<Number> extents) -> assertThat(extents)
				.allSatisfy((n) -> assertThat(n.longValue()).isPositive()))
			.consumeWith((result) -> write("catzilla-statistics.json", result.getResponseBody()));
	}

	private static void write(String name, byte[] content) {
		try {
			Files.write(Path.of("target", name), content);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	@Test
	@Order(3)
	void purgeThroughHttpReturnsWhatWasReleased() {
		this.http.post()
			.uri("/actuator/catzilla")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.purged")
			.isEqualTo(true)
			.jsonPath("$.releasedBytes")
			.value((Number released) -> assertThat(released.longValue()).isNotNegative())
			.jsonPath("$.residentBefore")
			.value((Number before) -> assertThat(before.longValue()).isPositive())
			.jsonPath("$.residentAfter")
			.value((Number after) -> assertThat(after.longValue()).isPositive())
			.consumeWith((result) -> write("catzilla-purge.json", result.getResponseBody()));
	}

	@Test
	@Order(4)
	void healthSaysUpWithTheAllocatorsDetails() {
		this.http.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.components.catzilla.status")
			.isEqualTo("UP")
			.jsonPath("$.components.catzilla.details.active")
			.isEqualTo("jemalloc");
	}

	@Test
	@Order(5)
	void prometheusScrapeIsValidTextWithOurFamilies() throws Exception {
		String scrape = this.http.get()
			.uri("/actuator/prometheus")
			.accept(MediaType.parseMediaType("text/plain;version=0.0.4"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		// Kept for reading (docs/spring.md's meters table was checked against it).
		Files.writeString(Path.of("target", "prometheus-scrape.txt"), scrape);
		List<PrometheusText.Sample> samples = PrometheusText.parse(scrape);
		for (String family : new String[] { "allocated", "active", "resident", "mapped", "retained", "metadata" }) {
			PrometheusText.Sample sample = PrometheusText.single(samples, "catzilla_jemalloc_" + family + "_bytes");
			assertThat(sample.value()).as(family).isGreaterThanOrEqualTo(0);
			assertThat(PrometheusText.type(scrape, "catzilla_jemalloc_" + family + "_bytes")).isEqualTo("gauge");
		}
		assertThat(PrometheusText.single(samples, "catzilla_jemalloc_resident_bytes").value()).isPositive();
		for (dev.catzilla.allocator.CatzillaMeter meter : dev.catzilla.allocator.CatzillaMeter.values()) {
			if (meter == dev.catzilla.allocator.CatzillaMeter.PROFILE_SITE_LIVE) {
				// rows only for sites with live bytes (and other): none may be live
				// between requests
				continue;
			}
			assertThat(samples).as("docs/spring.md's Prometheus name %s is in the scrape", meter.prometheusName())
				.anySatisfy((sample) -> assertThat(sample.name()).isEqualTo(meter.prometheusName()));
		}
		assertThat(samples).filteredOn((sample) -> sample.name().equals("catzilla_jemalloc_ratio"))
			.extracting((sample) -> sample.labels().get("ratio"))
			.containsExactlyInAnyOrder("bin.fragmentation", "active.allocated", "resident.active",
					"process.resident.allocated", "metadata.share");
		assertThat(PrometheusText.single(samples, "catzilla_allocator_cached_bytes").value()).isNotNegative();
		assertThat(PrometheusText.type(scrape, "catzilla_allocator_cached_bytes")).isEqualTo("gauge");
		PrometheusText.Sample info = PrometheusText.single(samples, "catzilla_allocator_info");
		assertThat(info.value()).isEqualTo(1.0);
		assertThat(info.labels()).containsEntry("requested", "auto").containsEntry("active", "jemalloc");
		assertThat(samples).anySatisfy((sample) -> {
			assertThat(sample.name()).isEqualTo("netty_allocator_memory_used");
			assertThat(sample.labels()).containsEntry("allocator_type", "JemallocByteBufAllocator")
				.containsEntry("memory_type", "direct");
		});
	}

}
