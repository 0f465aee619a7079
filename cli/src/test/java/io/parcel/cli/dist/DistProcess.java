package io.parcel.cli.dist;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One process of the packaged distribution ({@code bin/parcel}, {@code bin/parcel-server}, ...), as a user runs it:
 * standard input from /dev/null (no terminal), output in files (no pipe can fill up and stall it), HOME in the test
 * directory (no user config), the launcher's start-up cache in {@link #STARTUP_CACHE} (never the user's), the heap
 * bound the issue promises ({@link #PARCEL_OPTS}), and a deadline on every wait; a process that outlives its deadline
 * is killed with its children and the test fails. The test that starts one owns it and must {@link #kill()},
 * {@link #terminate} or {@link #await} it.
 */
public final class DistProcess {
    /** The JVM options every process gets: the heap bound the issue promises whatever the file size. */
    public static final String PARCEL_OPTS = "-Xmx256m";

    /**
     * The {@code XDG_CACHE_HOME} of every process: one start-up cache for the whole test run, trained by the first test
     * that does work, as a user's is; a test of the cache itself gives its processes a directory of their own.
     */
    public static final Path STARTUP_CACHE = distribution().resolveSibling("startup-cache");

    private static final Pattern LISTENING = Pattern.compile("parcel [a-z0-9 ]+: listening on [^ ]*:(\\d+) ");

    private final List<String> command;
    private final Process process;
    private final Path output;
    private final Path errors;

    private DistProcess(List<String> command, Process process, Path output, Path errors) {
        this.command = command;
        this.process = process;
        this.output = output;
        this.errors = errors;
    }

    /** Starts {@code bin/<launcher> arguments...} in {@code directory}. */
    public static DistProcess start(Path directory, String launcher, String... arguments) {
        return start(directory, Map.of(), launcher, arguments);
    }

    /** Starts {@code bin/<launcher> arguments...} in {@code directory}, {@code environment} on top of the usual. */
    public static DistProcess start(Path directory, Map<String, String> environment, String launcher,
                                    String... arguments) {
        return startLauncher(directory, environment, bin(launcher), arguments);
    }

    /**
     * Starts {@code launcher arguments...} in {@code directory}, with {@code environment} on top of the usual: for a
     * copy of the distribution that a test changes (the one {@link #bin} names is shared by every test).
     */
    public static DistProcess startLauncher(Path directory, Map<String, String> environment, Path launcher,
                                            String... arguments) {
        requireNonNull(directory, "directory is null");
        requireNonNull(environment, "environment is null");
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(arguments));
        String name = launcher.getFileName().toString();
        try {
            Path output = Files.createTempFile(directory, name + "-", ".out");
            Path errors = Files.createTempFile(directory, name + "-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(output.toFile())
                    .redirectError(errors.toFile());
            builder.environment().put("HOME", directory.toString());
            builder.environment().put("XDG_CACHE_HOME", STARTUP_CACHE.toString());
            builder.environment().put("PARCEL_OPTS", PARCEL_OPTS);
            builder.environment().putAll(environment);
            return new DistProcess(command, builder.start(), output, errors);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Runs {@code bin/parcel arguments...} to the end; kills it and fails the test after {@code timeout}. */
    public static Result run(Path directory, Duration timeout, String... arguments) {
        return start(directory, "parcel", arguments).await(timeout);
    }

    /** Runs {@code bin/parcel arguments...} with {@code environment} on top of the usual, as {@link #run}. */
    public static Result run(Path directory, Map<String, String> environment, Duration timeout,
                             String... arguments) {
        return start(directory, environment, "parcel", arguments).await(timeout);
    }

    /** {@code bin/<name>} of the distribution built by {@code ./mvnw package} (Failsafe passes {@code parcel.dist}). */
    public static Path bin(String name) {
        Path launcher = distribution().resolve("bin").resolve(name);
        assertTrue(Files.isExecutable(launcher),
                "no executable " + launcher + ": run ./mvnw package (or verify) so the distribution exists");
        return launcher;
    }

    private static Path distribution() {
        return Path.of(System.getProperty("parcel.dist", "target/parcel")).toAbsolutePath();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its standard error so far. */
    public String errors() {
        return read(errors);
    }

    /** The port a serve or tunnel process says it listens on, waiting (bounded) for its line. */
    public int awaitListeningPort() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Matcher matcher = LISTENING.matcher(errors());
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            if (!process.isAlive()) {
                fail("exited with " + process.exitValue() + " before listening: " + command + "\n" + errors());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("never said where it listens: " + command + "\n" + errors());
    }

    /** Waits for the end, or kills it and fails the test after {@code timeout}. */
    public Result await(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                fail("did not finish within " + timeout + ": " + command + "\nstdout:\n" + read(output)
                        + "\nstderr:\n" + read(errors));
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + command, e);
        }
        return new Result(command, process.exitValue(), read(output), read(errors));
    }

    /** SIGTERM (the launcher execs java, so this is the JVM) and a bounded wait; the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            fail("did not stop within " + timeout + " of SIGTERM: " + command + "\n" + errors());
        }
        return process.exitValue();
    }

    /**
     * SIGKILL, like {@code kill -9}, and a bounded wait: the launcher execs java, so this PID is the JVM; any children
     * are killed too in case a launcher ever forks instead. Idempotent.
     */
    public void kill() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                fail("pid " + process.pid() + " survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** How a run ended. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** For assertion messages: the whole story of the run. */
        public String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }

        /** Standard output and standard error together. */
        public String output() {
            return stdout + stderr;
        }

        /** The lines of standard error that carry parcel's error message ({@code parcel: ...}). */
        public List<String> errorLines() {
            return stderr.lines().filter(line -> line.startsWith("parcel: ")).toList();
        }
    }
}
