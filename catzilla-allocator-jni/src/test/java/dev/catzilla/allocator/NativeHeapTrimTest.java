package dev.catzilla.allocator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JVM's own trim of its C heap, which the quiet purge asks for (its effect on the
 * resident set: {@link LargeBufferTest}).
 */
class NativeHeapTrimTest {

	@Test
	void theJvmTrimsItsCHeapAndReportsTheResidentSetBeforeAndAfter() {
		NativeHeapTrim trim = NativeHeapTrim.jvm();
		long trims = trim.trims();
		String report = trim.trim();
		assertThat(report).as(trim.unavailabilityCause()).isNotNull().startsWith("Trim native heap").contains("->");
		assertThat(trim.trims()).isEqualTo(trims + 1);
		assertThat(trim.unavailabilityCause()).isEmpty();
	}

	@Test
	void aJvmWithoutTheCommandIsFoundOutOnceAndNotAskedAgain() {
		NativeHeapTrim trim = new NativeHeapTrim("noSuchDiagnosticCommand");
		assertThat(trim.trim()).isNull();
		assertThat(trim.unavailabilityCause()).startsWith("noSuchDiagnosticCommand failed: ");
		String cause = trim.unavailabilityCause();
		assertThat(trim.trim()).isNull();
		assertThat(trim.unavailabilityCause()).isSameAs(cause);
		assertThat(trim.trims()).isZero();
	}

}
