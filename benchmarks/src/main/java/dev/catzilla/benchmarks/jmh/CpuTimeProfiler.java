package dev.catzilla.benchmarks.jmh;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;

import com.sun.management.OperatingSystemMXBean;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the whole benchmark JVM (every thread: benchmark, JIT, GC; user + system)
 * per measured operation, over each iteration:
 * {@code -prof dev.catzilla.benchmarks.jmh.CpuTimeProfiler}, reported as
 * {@code ·cpu.ns/op}.
 * <p>
 * Why: on a 2-core machine shared with other work, a hand-off benchmark's wall time is
 * mostly the scheduler's (the producer and consumer wait for each other and for the
 * cores); the CPU it burns per operation moves much less with the load. For a JMH group
 * (e.g. {@code CrossThreadReleaseBenchmark}'s allocate + release), JMH counts the
 * operations of every method of the group, so per buffer is twice the printed figure
 * there.
 */
public final class CpuTimeProfiler implements InternalProfiler {

	private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

	private long start;

	@Override
	public String getDescription() {
		return "process CPU time (all threads, user + system) per measured operation";
	}

	@Override
	public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
		this.start = this.os.getProcessCpuTime();
	}

	@Override
	public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
			IterationResult result) {
		long cpu = this.os.getProcessCpuTime() - this.start;
		long ops = result.getMetadata().getMeasuredOps();
		double perOp = (ops > 0) ? (double) cpu / ops : Double.NaN;
		return List.of(new ScalarResult("cpu.ns/op", perOp, "ns/op", AggregationPolicy.AVG));
	}

}
