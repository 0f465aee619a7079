package io.parcel.testsupport;

import io.parcel.spi.TransportFactory;
import io.parcel.testsupport.FaultyTransportFactory.Fault;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The suite must fail transports that break the contract, and pass one that keeps it (for what it checks). */
class TransportConformanceSuiteTest {
    @FunctionalInterface
    private interface SuiteTest {
        void run(TransportConformanceSuite suite) throws Exception;
    }

    @Test
    void passesPlainJdkSockets() throws Exception {
        for (SuiteTest test : new SuiteTest[] {
                TransportConformanceSuite::echoesManySmallWrites,
                TransportConformanceSuite::bulkClientToServer,
                TransportConformanceSuite::bulkBothDirectionsAtOnce,
                TransportConformanceSuite::halfCloseDeliversEverythingThenTheOtherDirectionStillWorks,
                TransportConformanceSuite::connectToABlackHoleTimesOut,
                TransportConformanceSuite::sequentialConnectionsLeakNoThreads}) {
            run(new FaultyTransportFactory(Fault.NONE), test);
        }
    }

    @Test
    void failsATransportThatCorruptsAByte() {
        AssertionError failure = assertThrows(AssertionError.class,
                () -> run(new FaultyTransportFactory(Fault.CORRUPT), TransportConformanceSuite::bulkClientToServer));
        assertTrue(failure.getMessage().contains("SHA-256"), failure.getMessage());
        AssertionError halfClose = assertThrows(AssertionError.class,
                () -> run(new FaultyTransportFactory(Fault.CORRUPT),
                        TransportConformanceSuite::halfCloseDeliversEverythingThenTheOtherDirectionStillWorks));
        assertTrue(halfClose.getMessage().contains("first differing byte"), halfClose.getMessage());
    }

    @Test
    void failsATransportWithoutHalfClose() {
        assertThrows(AssertionError.class, () -> run(new FaultyTransportFactory(Fault.NO_HALF_CLOSE),
                TransportConformanceSuite::halfCloseDeliversEverythingThenTheOtherDirectionStillWorks));
    }

    @Test
    void failsATransportThatIgnoresTheConnectTimeout() {
        AssertionError failure = assertThrows(AssertionError.class,
                () -> run(new FaultyTransportFactory(Fault.IGNORE_CONNECT_TIMEOUT),
                        TransportConformanceSuite::connectToABlackHoleTimesOut));
        assertTrue(failure.getMessage().contains("still running"), failure.getMessage());
    }

    @Test
    void failsATransportThatLeaksAThreadPerConnection() {
        FaultyTransportFactory leaking = new FaultyTransportFactory(Fault.LEAK_THREAD);
        try {
            AssertionError failure = assertThrows(AssertionError.class,
                    () -> run(leaking, TransportConformanceSuite::sequentialConnectionsLeakNoThreads));
            assertTrue(failure.getMessage().contains("leaked-by-faulty-transport"), failure.getMessage());
        } finally {
            leaking.release.countDown();
        }
    }

    /** Runs one test of the suite the way JUnit would: set up, test, tear down. */
    private static void run(TransportFactory factory, SuiteTest test) throws Exception {
        TransportConformanceSuite suite = new TransportConformanceSuite() {
            @Override
            protected TransportFactory factory() {
                return factory;
            }

            @Override
            protected BlackHole blackHole() throws IOException {
                return BlackHole.tcpFullBacklog(loopback());
            }

            @Override
            protected long bulkBytes() {
                return 8L << 20;
            }

            @Override
            protected int sequentialConnections() {
                return 20;
            }

            @Override
            protected Duration slack() {
                return Duration.ofSeconds(1);
            }
        };
        suite.createTransport();
        try {
            test.run(suite);
        } finally {
            suite.closeEverything();
        }
    }
}
