package io.parcel.cli.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/** CPU time of the whole process, so a transport's helper threads (and JIT and GC) are counted too. */
final class ProcessCpu {
    private ProcessCpu() {
    }

    /** CPU nanoseconds the process has used, or -1 when the JVM cannot tell. */
    static long nanos() {
        OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }
}
