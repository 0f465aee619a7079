package io.parcel.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import io.parcel.cli.internal.Terminal;

import static java.util.Objects.requireNonNull;

/**
 * What a command may touch of the outside world: its streams, environment variables, working directory and whether
 * it talks to a terminal. Commands take it in their constructor (see {@link Main#run}), so tests run them in-process
 * with captured streams instead of the real ones.
 *
 * @param out         normal output (progress, tables, summaries, JSON lines)
 * @param err         errors and warnings, one line each
 * @param in          lines typed by the user (interactive mode)
 * @param environment environment variables
 * @param workingDirectory  where relative paths given by the user start
 * @param terminal    true when both standard input and output are a terminal
 */
public record CliEnvironment(PrintWriter out, PrintWriter err, BufferedReader in, Map<String, String> environment,
                             Path workingDirectory, boolean terminal) {
    public CliEnvironment {
        requireNonNull(out, "out is null");
        requireNonNull(err, "err is null");
        requireNonNull(in, "in is null");
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        requireNonNull(workingDirectory, "workingDirectory is null");
    }

    /** The real process: standard streams, the process environment, the current directory. */
    public static CliEnvironment system() {
        Charset charset = Charset.defaultCharset();
        PrintWriter out = new PrintWriter(System.out, true, charset);
        PrintWriter err = new PrintWriter(System.err, true, charset);
        Reader in = new InputStreamReader(System.in, charset);
        return new CliEnvironment(out, err, new BufferedReader(in), System.getenv(),
                Path.of("").toAbsolutePath(), Terminal.isInteractive());
    }

    public Optional<String> variable(String name) {
        return Optional.ofNullable(environment.get(name)).filter(value -> !value.isEmpty());
    }

    /** {@code path} as the user meant it: relative to {@link #workingDirectory()}, {@code ~/} expanded. */
    public Path resolve(String path) {
        requireNonNull(path, "path is null");
        if (path.equals("~") || path.startsWith("~/")) {
            Path home = variable("HOME").map(Path::of).orElse(Path.of(System.getProperty("user.home")));
            return path.length() <= 2 ? home : home.resolve(path.substring(2));
        }
        return workingDirectory.resolve(path).normalize();
    }
}
