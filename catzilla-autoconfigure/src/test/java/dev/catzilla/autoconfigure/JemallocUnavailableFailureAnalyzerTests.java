package dev.catzilla.autoconfigure;

import java.io.FileNotFoundException;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report printed when {@code catzilla.allocator=jemalloc} cannot be honoured.
 */
class JemallocUnavailableFailureAnalyzerTests {

	@Test
	void analyzerIsRegisteredUnderBootsFailureAnalyzerKey() {
		ArgumentResolver arguments = ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
			.and(Environment.class, new StandardEnvironment());
		// Other analyzers on the test class path need classes that are absent (e.g. Bean
		// Validation): ignore those.
		SpringFactoriesLoader.FailureHandler ignore = (factoryType, implementationName, failure) -> {
		};
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation().load(FailureAnalyzer.class, arguments, ignore))
			.anyMatch(JemallocUnavailableFailureAnalyzer.class::isInstance);
	}

	@Test
	void reportNamesTheRequestTheWholeCauseChainAndWhatToDo() {
		UnsatisfiedLinkError linkError = new UnsatisfiedLinkError("no catzilla_jemalloc in java.library.path");
		linkError.initCause(new FileNotFoundException("META-INF/native/libcatzilla_jemalloc-linux-aarch64.so"));
		UnsatisfiedLinkError failure = new UnsatisfiedLinkError(
				"Catzilla's jemalloc is not available on linux-aarch64");
		failure.initCause(linkError);
		// A platform without a library: the action lists the platforms that have one.
		Throwable wrapped = new BeanCreationException("catzillaAllocator",
				new JemallocUnavailableException("linux-ppc64le", false, failure));

		FailureAnalysis analysis = new JemallocUnavailableFailureAnalyzer().analyze(wrapped);

		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription()).contains("catzilla.allocator=jemalloc was requested")
			.contains("linux-ppc64le")
			.containsSubsequence(
					"java.lang.UnsatisfiedLinkError: Catzilla's jemalloc is not available on linux-aarch64",
					"caused by java.lang.UnsatisfiedLinkError: no catzilla_jemalloc in java.library.path",
					"caused by java.io.FileNotFoundException: META-INF/native/libcatzilla_jemalloc-linux-aarch64.so")
			.doesNotContain("catzilla.native.disabled");
		assertThat(analysis.getAction()).contains(JemallocUnavailableFailureAnalyzer.SUPPORTED_PLATFORMS)
			.contains("catzilla.allocator=auto")
			.contains("catzilla.allocator=malloc")
			.doesNotContain("catzilla.native.disabled");
	}

	@Test
	void reportSaysWhenTheLibraryWasDisabledOnPurposeAndHowToUndoIt() {
		FailureAnalysis analysis = new JemallocUnavailableFailureAnalyzer().analyze(new JemallocUnavailableException(
				"linux-x86_64", true, new UnsatisfiedLinkError("disabled by catzilla.native.disabled=true")));
		assertThat(analysis.getDescription()).contains("catzilla.native.disabled=true switches the library off");
		assertThat(analysis.getAction()).contains("remove -Dcatzilla.native.disabled=true")
			.doesNotContain("run on a platform");
	}

	@Test
	void aJdkThatRefusesNativeAccessGetsThatCauseAndItsFixNotAPlatformList() {
		UnsatisfiedLinkError failure = new UnsatisfiedLinkError("The JVM refuses native access to Catzilla");
		failure.initCause(new IllegalCallerException("Illegal native access from an unnamed module"));
		FailureAnalysis analysis = new JemallocUnavailableFailureAnalyzer()
			.analyze(new JemallocUnavailableException("linux-x86_64", false, failure));
		assertThat(analysis.getAction()).contains("--enable-native-access=ALL-UNNAMED")
			.contains("Enable-Native-Access: ALL-UNNAMED")
			.contains("catzilla.allocator=auto")
			.doesNotContain("run on a platform");
	}

	@Test
	void otherFailuresAreLeftToOtherAnalyzers() {
		assertThat(new JemallocUnavailableFailureAnalyzer().analyze(new IllegalStateException("unrelated"))).isNull();
	}

}
