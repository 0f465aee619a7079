package io.parcel.cli.it;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged distribution's {@code bin/parcel} as a separate process, as a user would: standard input from
 * /dev/null (no terminal), output captured in files (no pipe can fill up and stall it), and a deadline on every wait;
 * a process that outlives its deadline is killed with its children and the test fails.
 */
final class ParcelLauncher {
    /** The JVM options every run gets: the heap bound the issue promises whatever the file size. */
    static final String PARCEL_OPTS = "-Xmx256m";

    private final Path launcher;
    private final Path workDir;
    private final Map<String, String> environment;

    private ParcelLauncher(Path launcher, Path workDir) {
        this.launcher = requireNonNull(launcher, "launcher is null");
        this.workDir = requireNonNull(workDir, "workDir is null");
        this.environment = Map.of("PARCEL_OPTS", PARCEL_OPTS);
    }

    /** The launcher of the distribution built by {@code ./mvnw package} (Failsafe passes {@code parcel.dist}). */
    static ParcelLauncher in(Path workDir) {
        Path dist = Path.of(System.getProperty("parcel.dist", "target/parcel")).toAbsolutePath();
        Path launcher = dist.resolve("bin/parcel");
        assertTrue(Files.isExecutable(launcher),
                "no executable " + launcher + ": run ./mvnw package (or verify) so the distribution exists");
        return new ParcelLauncher(launcher, workDir);
    }

    /** Runs to the end, or kills it and fails the test after {@code timeout}. */
    Result run(Duration timeout, String... arguments) {
        Running running = start(arguments);
        return running.await(timeout);
    }

    /** Starts the command; the caller owns the returned process and must {@link Running#await} or kill it. */
    Running start(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(arguments));
        try {
            Path output = Files.createTempFile(workDir, "parcel-", ".out");
            Path errors = Files.createTempFile(workDir, "parcel-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(output.toFile())
                    .redirectError(errors.toFile());
            builder.environment().putAll(environment);
            return new Running(command, builder.start(), output, errors);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** A started parcel process. */
    static final class Running {
        private final List<String> command;
        private final Process process;
        private final Path output;
        private final Path errors;

        private Running(List<String> command, Process process, Path output, Path errors) {
            this.command = command;
            this.process = process;
            this.output = output;
            this.errors = errors;
        }

        boolean isAlive() {
            return process.isAlive();
        }

        Result await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    killNow();
                    fail("parcel did not finish within " + timeout + ": " + command
                            + "\nstdout:\n" + read(output) + "\nstderr:\n" + read(errors));
                }
            }
            catch (InterruptedException e) {
                killNow();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + command, e);
            }
            return new Result(command, process.exitValue(), read(output), read(errors));
        }

        /**
         * SIGKILL, like {@code kill -9}: the launcher execs java, so this PID is the JVM; any children are killed too
         * in case a launcher ever forks instead.
         */
        void killNow() {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    fail("parcel (pid " + process.pid() + ") survived SIGKILL for 10 s");
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            }
            catch (IOException e) {
                return "(cannot read " + file + ": " + e + ")";
            }
        }
    }

    /** How a run ended. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** For assertion messages: the whole story of the run. */
        String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }

        String output() {
            return stdout + stderr;
        }
    }
}
