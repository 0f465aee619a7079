package io.parcel.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A {@link CliEnvironment} whose output is kept for assertions, rooted in a test's temporary directory. */
public final class CapturedEnvironment {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CliEnvironment environment;

    private CapturedEnvironment(Path directory, String input, boolean terminal, Map<String, String> variables) {
        Map<String, String> environmentVariables = new HashMap<>();
        // HOME inside the test directory, so no real ~/.config/parcel/config is read.
        environmentVariables.put("HOME", directory.toString());
        environmentVariables.putAll(variables);
        environment = new CliEnvironment(new PrintWriter(out, true), new PrintWriter(err, true),
                new BufferedReader(new StringReader(input)), environmentVariables, directory, terminal);
    }

    public static CapturedEnvironment in(Path directory) {
        return new CapturedEnvironment(directory, "", false, Map.of());
    }

    public static CapturedEnvironment terminal(Path directory, String input) {
        return new CapturedEnvironment(directory, input, true, Map.of());
    }

    public static CapturedEnvironment with(Path directory, Map<String, String> variables) {
        return new CapturedEnvironment(directory, "", false, variables);
    }

    public CliEnvironment environment() {
        return environment;
    }

    public int run(String... args) {
        return Main.run(environment, args);
    }

    public String out() {
        environment.out().flush();
        return out.toString();
    }

    public String err() {
        environment.err().flush();
        return err.toString();
    }
}
