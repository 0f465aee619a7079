package io.parcel.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.parcel.cli.internal.BaseCommand;
import io.parcel.cli.internal.CommandFactory;
import io.parcel.cli.internal.DemoCommand;
import io.parcel.cli.internal.DownloadCommand;
import io.parcel.cli.internal.Failures;
import io.parcel.cli.internal.InteractivePrompt;
import io.parcel.cli.internal.ParcelCommand;
import io.parcel.cli.internal.PluginsCommand;
import io.parcel.cli.internal.StartupTraining;
import io.parcel.cli.internal.VersionCommand;
import io.parcel.cli.perf.PerfCommand;
import io.parcel.cli.relay.ServeCommand;
import io.parcel.cli.relay.TunnelCommand;
import io.parcel.spi.ExitCode;
import io.parcel.spi.UsageException;
import picocli.CommandLine;

import static java.util.Objects.requireNonNull;

/**
 * The {@code parcel} command. The only place that calls {@link System#exit}; everything else returns exit codes
 * (see {@link io.parcel.spi.ExitCode}).
 */
public final class Main {
    /**
     * The commands under {@code parcel}, in help order. A command is a picocli {@code @Command} class with a public
     * no-argument constructor or one taking a {@link CliEnvironment}; registering one is one line here.
     */
    static final List<Class<?>> COMMANDS = List.of(
            DownloadCommand.class,
            PluginsCommand.class,
            DemoCommand.class,
            VersionCommand.class,
            PerfCommand.class,
            ServeCommand.class,
            TunnelCommand.class,
            CommandLine.HelpCommand.class);

    /**
     * Set by {@code bin/parcel} on the run that trains the start-up cache (JDK 25+): the lock file of that training.
     * A usage error ends a run before it loads what a transfer needs, so such a run gives its training up by removing
     * the lock, and a later command trains instead.
     */
    static final String STARTUP_TRAINING_PROPERTY = "parcel.startup-training";

    /**
     * Guice's switch for the classes it generates at run time (with its bundled ASM) to call constructors and
     * intercept methods. Parcel intercepts nothing and builds a handful of objects per run, and generating those
     * classes cost every start 25-45 ms (loopback, 24 starts each way); DISABLED calls constructors by reflection. A
     * value given with -D (PARCEL_OPTS) wins.
     */
    static final String GUICE_BYTECODE_PROPERTY = "guice_bytecode_gen_option";

    /** Each command by its name and aliases, read from its annotation: picocli builds no model for that. */
    private static final Map<String, Class<?>> COMMANDS_BY_NAME = commandsByName();

    private static final String DEFAULT_COMMAND = "download";
    private static final Set<String> TOP_LEVEL_OPTIONS = Set.of("-h", "--help", "-V", "--version");

    private Main() {
    }

    public static void main(String[] args) {
        if (System.getProperty(GUICE_BYTECODE_PROPERTY) == null) {
            System.setProperty(GUICE_BYTECODE_PROPERTY, "DISABLED");
        }
        CliEnvironment environment = CliEnvironment.system();
        int code = run(environment, args);
        environment.out().flush();
        environment.err().flush();
        if (code == ExitCode.USAGE.code()) {
            abandonStartupTraining();
        } else if (System.getProperty(STARTUP_TRAINING_PROPERTY) != null) {
            StartupTraining.loadParcelClasses(StartupTraining.systemClassPath(), Main.class.getClassLoader());
        }
        System.exit(code);
    }

    private static void abandonStartupTraining() {
        String lock = System.getProperty(STARTUP_TRAINING_PROPERTY);
        if (lock == null) {
            return;
        }
        try {
            Files.deleteIfExists(Path.of(lock));
        } catch (IOException | InvalidPathException e) {
            // The cache only saves start-up time: a run never fails or speaks up for it. At worst the cache is made
            // from this run and holds fewer classes.
        }
    }

    /** Runs {@code parcel args} in {@code environment} and returns the exit code. */
    public static int run(CliEnvironment environment, String... args) {
        requireNonNull(environment, "environment is null");
        requireNonNull(args, "args is null");
        List<String> arguments;
        try {
            arguments = arguments(COMMANDS_BY_NAME.keySet(), environment, List.of(args));
        } catch (UsageException e) {
            return Failures.report(e, false, environment.err());
        } catch (RuntimeException e) {
            return Failures.report(e, List.of(args).contains("--debug"), environment.err());
        }
        if (arguments.isEmpty()) {
            commandLine(environment).usage(environment.err());
            return ExitCode.USAGE.code();
        }
        return commandLine(environment, commandsFor(arguments)).execute(arguments.toArray(String[]::new));
    }

    /** The command tree, writing to {@code environment}'s streams. */
    public static CommandLine commandLine(CliEnvironment environment) {
        return commandLine(environment, COMMANDS);
    }

    /**
     * The commands a run needs: only the one it names, because picocli reflects over every option of every command
     * it is given, which costs each start tens of milliseconds; none for a bare {@code parcel --version}; all of them
     * for parcel's own help and usage.
     */
    private static List<Class<?>> commandsFor(List<String> arguments) {
        String first = arguments.get(0);
        if (arguments.size() == 1 && (first.equals("-V") || first.equals("--version"))) {
            return List.of();
        }
        Class<?> command = COMMANDS_BY_NAME.get(first);
        return command == null || command == CommandLine.HelpCommand.class ? COMMANDS : List.of(command);
    }

    private static CommandLine commandLine(CliEnvironment environment, List<Class<?>> commands) {
        CommandLine commandLine = new CommandLine(new ParcelCommand(), new CommandFactory(environment));
        for (Class<?> command : commands) {
            commandLine.addSubcommand(command);
        }
        commandLine.setOut(environment.out());
        commandLine.setErr(environment.err());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setUsageHelpAutoWidth(environment.terminal());
        commandLine.setParameterExceptionHandler(Main::onBadParameters);
        commandLine.setExecutionExceptionHandler((failure, failedCommand, parseResult) -> {
            Object command = failedCommand.getCommand();
            boolean debug = command instanceof BaseCommand base
                    ? base.debugEnabled() : parseResult.originalArgs().contains("--debug");
            return Failures.report(failure, debug, failedCommand.getErr());
        });
        return commandLine;
    }

    /**
     * The original Parcel's forms: no command means {@code download}; no arguments at all on a terminal asks for
     * URLs or file IDs. Returns an empty list when there is nothing to run (usage goes to standard error).
     */
    static List<String> arguments(CommandLine commandLine, CliEnvironment environment, List<String> args)
            throws UsageException {
        return arguments(commandLine.getSubcommands().keySet(), environment, args);
    }

    private static List<String> arguments(Set<String> commandNames, CliEnvironment environment, List<String> args)
            throws UsageException {
        if (args.isEmpty()) {
            if (!environment.terminal()) {
                return List.of();
            }
            List<String> locators = InteractivePrompt.ask(environment);
            if (locators.isEmpty()) {
                throw new UsageException("nothing to download: no URL or file ID was entered");
            }
            List<String> download = new ArrayList<>(List.of(DEFAULT_COMMAND, "--"));
            download.addAll(locators);
            return download;
        }
        String first = args.get(0);
        if (commandNames.contains(first) || TOP_LEVEL_OPTIONS.contains(first)) {
            return args;
        }
        int command = commandAfterLoggingOptions(commandNames, args);
        if (command > 0) {
            // "parcel --debug plugins": the logging options every command takes may come before the command name.
            List<String> moved = new ArrayList<>(args.size());
            moved.add(args.get(command));
            moved.addAll(args.subList(0, command));
            moved.addAll(args.subList(command + 1, args.size()));
            return moved;
        }
        List<String> download = new ArrayList<>(List.of(DEFAULT_COMMAND));
        download.addAll(args);
        return download;
    }

    /**
     * The index of a command name that only {@code --debug} / {@code --log-file FILE} precede, or -1. Anything else
     * before it (a download option, a URL) means the original form, where no command means {@code download}.
     */
    private static int commandAfterLoggingOptions(Set<String> commandNames, List<String> args) {
        int index = 0;
        while (index < args.size()) {
            String arg = args.get(index);
            if (arg.equals("--debug") || arg.startsWith("--log-file=")) {
                index++;
            } else if (arg.equals("--log-file")) {
                index += 2;
            } else {
                break;
            }
        }
        if (index == 0 || index >= args.size()) {
            return -1;
        }
        return commandNames.contains(args.get(index)) ? index : -1;
    }

    private static Map<String, Class<?>> commandsByName() {
        Map<String, Class<?>> byName = new HashMap<>();
        for (Class<?> command : COMMANDS) {
            CommandLine.Command annotation = command.getAnnotation(CommandLine.Command.class);
            byName.put(annotation.name(), command);
            for (String alias : annotation.aliases()) {
                byName.put(alias, command);
            }
        }
        return Map.copyOf(byName);
    }

    private static int onBadParameters(CommandLine.ParameterException failure, String[] args) {
        CommandLine failed = failure.getCommandLine();
        PrintWriter err = failed.getErr();
        err.println("parcel: " + Failures.message(failure));
        CommandLine.UnmatchedArgumentException.printSuggestions(failure, err);
        err.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for more information.");
        if (Arrays.asList(args).contains("--debug")) {
            failure.printStackTrace(err);
        }
        err.flush();
        return ExitCode.USAGE.code();
    }
}
