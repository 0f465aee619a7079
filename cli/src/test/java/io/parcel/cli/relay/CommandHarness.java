package io.parcel.cli.relay;

import io.parcel.cli.CapturedEnvironment;
import io.parcel.cli.CliEnvironment;
import io.parcel.cli.internal.CommandFactory;
import io.parcel.cli.internal.Failures;
import io.parcel.cli.internal.ParcelCommand;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.spi.UsageException;
import io.parcel.transport.tcp.TcpTransportFactory;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs relay commands in-process as {@code parcel} registers them: the real tcp transport behind the opener, captured
 * output, and a shutdown signal the test fires by hand instead of SIGTERM.
 */
final class CommandHarness {
    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]*:(\\d+) ");

    final ManualShutdown shutdown = new ManualShutdown();
    final List<String> opened = new CopyOnWriteArrayList<>();
    private final CapturedEnvironment captured;
    private final RelayContext context = new RelayContext(this::open, shutdown,
            System.getLogger("io.parcel.relay.test"), Clock.systemUTC());

    CommandHarness(Path directory) {
        this.captured = CapturedEnvironment.in(directory);
    }

    /** A shutdown signal fired by {@link #fire()}. */
    static final class ManualShutdown implements ShutdownSignal {
        private final List<Runnable> actions = new CopyOnWriteArrayList<>();

        @Override
        public AutoCloseable onShutdown(Runnable action) {
            actions.add(action);
            return () -> actions.remove(action);
        }

        void fire() {
            actions.forEach(Runnable::run);
        }

        int registered() {
            return actions.size();
        }
    }

    String err() {
        return captured.err();
    }

    private Transport open(String name, Options options) throws IOException {
        if (!name.equals("tcp")) {
            throw new UsageException("unknown transport '" + name + "'; known: tcp");
        }
        opened.add(name);
        return new TcpTransportFactory().create(options, PluginContext.system());
    }

    /** The commands under a {@code parcel} root, with Main's error mapping; relay commands get this harness's context. */
    int run(String... args) {
        CliEnvironment environment = captured.environment();
        CommandLine commandLine = new CommandLine(new ParcelCommand(), factory(environment));
        commandLine.addSubcommand(ServeCommand.class);
        commandLine.addSubcommand(TunnelCommand.class);
        commandLine.setOut(environment.out());
        commandLine.setErr(environment.err());
        commandLine.setExecutionExceptionHandler(
                (failure, failed, parseResult) -> Failures.report(failure, false, failed.getErr()));
        return commandLine.execute(args);
    }

    CompletableFuture<Integer> start(String... args) {
        return CompletableFuture.supplyAsync(() -> run(args), command -> Thread.ofPlatform().daemon().start(command));
    }

    /** The port the command printed it listens on, waiting (bounded) for the line. */
    int awaitListeningPort() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Matcher matcher = LISTENING.matcher(err());
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the command never said where it listens: " + err());
    }

    private IFactory factory(CliEnvironment environment) {
        IFactory fallback = new CommandFactory(environment);
        return new IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                Constructor<K> constructor;
                try {
                    constructor = type.getDeclaredConstructor(CliEnvironment.class, RelayContext.class);
                } catch (NoSuchMethodException e) {
                    return fallback.create(type);
                }
                return constructor.newInstance(environment, context);
            }
        };
    }
}
