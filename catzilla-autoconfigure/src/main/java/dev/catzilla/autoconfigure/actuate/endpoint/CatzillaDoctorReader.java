package dev.catzilla.autoconfigure.actuate.endpoint;

import java.util.List;
import java.util.Locale;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.MemoryDoctor;
import dev.catzilla.autoconfigure.CatzillaAllocator;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.util.MimeType;

/**
 * {@code /actuator/catzilla/doctor}: {@link MemoryDoctor}'s findings over jemalloc's
 * statistics, the cap and the sampled profile, each with its numbers and one action; JSON
 * by default, {@code ?format=text} as plain text.
 */
final class CatzillaDoctorReader {

	private static final MimeType TEXT = MimeType.valueOf("text/plain;charset=UTF-8");

	private final CatzillaAllocator outcome;

	CatzillaDoctorReader(CatzillaAllocator outcome) {
		this.outcome = outcome;
	}

	WebEndpointResponse<?> read(String format) {
		if (!(this.outcome.allocator() instanceof JemallocByteBufAllocator jemalloc) || !this.outcome.isJemalloc()) {
			return new WebEndpointResponse<>(new DoctorUnavailable("jemalloc is not active ("
					+ this.outcome.active().id() + "): the doctor examines Catzilla's jemalloc only"),
					WebEndpointResponse.STATUS_NOT_FOUND);
		}
		String f = (format == null) ? "json" : format.toLowerCase(Locale.ROOT);
		if (!f.equals("json") && !f.equals("text")) {
			return new WebEndpointResponse<>(
					new DoctorUnavailable("format must be json or text, but was '" + format + "'"),
					WebEndpointResponse.STATUS_BAD_REQUEST);
		}
		MemoryDoctor.Report report = MemoryDoctor.examine(MemoryDoctor.Facts.of(jemalloc));
		if (f.equals("text")) {
			return new WebEndpointResponse<>(report.toText(), TEXT);
		}
		return new WebEndpointResponse<>(new DoctorDescriptor(report.verdict(), report.findings()));
	}

	/**
	 * What {@code /actuator/catzilla/doctor} returns.
	 *
	 * @param verdict one sentence: the worst finding, or that nothing was found
	 * @param findings every finding, the worst first
	 */
	record DoctorDescriptor(String verdict, List<MemoryDoctor.Finding> findings) implements OperationResponseBody {

		DoctorDescriptor {
			findings = List.copyOf(findings);
		}

	}

	/**
	 * @param message why there is no examination
	 */
	record DoctorUnavailable(String message) implements OperationResponseBody {
	}

}
