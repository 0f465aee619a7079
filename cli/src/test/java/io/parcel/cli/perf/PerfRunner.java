package io.parcel.cli.perf;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.Main;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs {@code parcel perf ...} in-process the way {@link Main} does (same command tree, same exit-code mapping),
 * with captured output. Commands that wait for a peer run on a background thread.
 */
final class PerfRunner implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+)");

    private final Path directory;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "perf-test-command");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Future<?>> started = new ArrayList<>();

    PerfRunner(Path directory) {
        this.directory = directory;
    }

    /** What a finished command printed and returned. */
    record Outcome(int exitCode, String out, String err) {
        String json() {
            String line = out.strip();
            assertTrue(line.startsWith("{") && line.endsWith("}") && !line.contains("\n"),
                    "expected one JSON object on standard output, got: " + out + "\nstderr: " + err);
            return line;
        }

        String field(String name) {
            Matcher matcher = Pattern.compile("\"" + name + "\":(\"([^\"]*)\"|[-0-9.a-z]+)").matcher(json());
            assertTrue(matcher.find(), "no field " + name + " in " + out);
            return matcher.group(2) != null ? matcher.group(2) : matcher.group(1);
        }

        long bytes() {
            return Long.parseLong(field("bytes"));
        }

        String sha256() {
            return field("sha256");
        }
    }

    /** A command running in the background. */
    final class Running {
        private final StringWriter out;
        private final StringWriter err;
        private final Future<Integer> exitCode;

        private Running(StringWriter out, StringWriter err, Future<Integer> exitCode) {
            this.out = out;
            this.err = err;
            this.exitCode = exitCode;
        }

        /** The address a server printed it listens on, waiting for it at most {@code timeout}. */
        String listeningAddress(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() - deadline < 0) {
                Matcher matcher = LISTENING.matcher(err.toString());
                if (matcher.find()) {
                    return matcher.group(1);
                }
                if (exitCode.isDone()) {
                    fail("the server ended before listening; stderr: " + err);
                }
                Thread.sleep(10);
            }
            return fail("the server did not listen within " + timeout + "; stderr: " + err);
        }

        Outcome await(Duration timeout) throws Exception {
            int code = exitCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Outcome(code, out.toString(), err.toString());
        }
    }

    Running start(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Future<Integer> exitCode = executor.submit(() -> execute(out, err, args));
        started.add(exitCode);
        return new Running(out, err, exitCode);
    }

    Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = execute(out, err, args);
        return new Outcome(code, out.toString(), err.toString());
    }

    private int execute(StringWriter out, StringWriter err, String... args) {
        CliEnvironment environment = new CliEnvironment(new PrintWriter(out, true), new PrintWriter(err, true),
                new BufferedReader(new StringReader("")), Map.of(), directory, false);
        CommandLine commandLine = Main.commandLine(environment);
        if (!commandLine.getSubcommands().containsKey("perf")) {
            // Until the cli registers perf in Main.COMMANDS, add it the same way (through the command factory)
            // and hand it the captured streams, which Main set before it was there.
            commandLine.addSubcommand(PerfCommand.class);
            commandLine.setOut(environment.out());
            commandLine.setErr(environment.err());
        }
        List<String> arguments = new ArrayList<>(List.of("perf"));
        arguments.addAll(List.of(args));
        return commandLine.execute(arguments.toArray(String[]::new));
    }

    /** Cancels commands still running (a failed test must not leave a server holding a port). */
    @Override
    public void close() {
        started.forEach(future -> future.cancel(true));
        executor.shutdownNow();
    }
}
